//! The map people and clinics live on: [`MapSpec`] (a rectangle with cities whose sizes
//! follow a Zipf law), [`Point`], where clinics are ([`site_points`], placed by population)
//! and [`SiteIndex`], which finds the sites nearest a point.
//!
//! Everything is in whole metres, so that distances in outcome files are exact integers and
//! a run replays byte for byte.

use serde::{Deserialize, Serialize};

use crate::rng::{Rng, SplitMix64};

/// Separates the stream that places the sites from every other stream of the same seed.
const SITE_PLACE_STREAM: u64 = u64::from_be_bytes(*b"siteplce");

/// A point on the map, in metres from its south-west corner.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Point;
/// let home = Point { x_m: 0, y_m: 0 };
/// let clinic = Point { x_m: 3_000, y_m: 4_000 };
/// assert_eq!(home.distance_m(clinic), 5_000);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Point {
    /// Metres east of the map's west edge.
    pub x_m: u32,
    /// Metres north of the map's south edge.
    pub y_m: u32,
}

impl Point {
    /// The straight-line distance to `other`, rounded to the nearest metre.
    pub fn distance_m(self, other: Point) -> u32 {
        let dx = f64::from(self.x_m) - f64::from(other.x_m);
        let dy = f64::from(self.y_m) - f64::from(other.y_m);
        // At most the map's diagonal, far below u32::MAX for any valid map.
        dx.hypot(dy).round() as u32
    }
}

/// The map: its size, its cities and how people spread around them.
///
/// City `k` (from 0) has a population weight `1 / (k + 1)^city_size_exponent` (a Zipf law,
/// as city sizes roughly follow) and a radius proportional to the square root of its
/// weight. Homes, workplaces and clinics are drawn around cities in proportion to their
/// weight, so clinics are placed by population.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Scenario;
/// let map = Scenario::korea_2021(0.01).map;
/// assert!(map.cities >= 1 && map.worker_share <= 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSpec {
    /// West to east, in metres.
    pub width_m: u32,
    /// South to north, in metres.
    pub height_m: u32,
    /// How many cities.
    pub cities: u16,
    /// The Zipf exponent of city sizes (0: all equal).
    pub city_size_exponent: f64,
    /// The radius of the largest city, in metres (people and clinics scatter within about
    /// this far of its centre).
    pub largest_city_radius_m: u32,
    /// Share of people who work away from home and want a clinic near work, outside work
    /// hours; the others want one near home, at any hour.
    pub worker_share: f64,
    /// Share of workers who work in another city than the one they live in.
    pub commuter_share: f64,
    /// The seed that places the cities and the clinics (the inventory's, not the run's: the
    /// same inventory has the same map under every seed).
    pub seed: u64,
}

/// The cities of a map: centres, radii and cumulative weights for drawing one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cities {
    centres: Vec<Point>,
    radii_m: Vec<f64>,
    /// `cumulative[k]` is the total weight of cities `0..=k`, normalised to end at 1.
    cumulative: Vec<f64>,
    width_m: u32,
    height_m: u32,
}

impl Cities {
    pub(crate) fn new(map: &MapSpec) -> Cities {
        let mut rng = Rng::new(SplitMix64::mix(map.seed ^ SITE_PLACE_STREAM));
        let count = usize::from(map.cities.max(1));
        let weights: Vec<f64> = (0..count)
            .map(|rank| (rank as f64 + 1.0).powf(-map.city_size_exponent))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut running = 0.0;
        let cumulative = weights
            .iter()
            .map(|weight| {
                running += weight / total;
                running
            })
            .collect();
        let largest = weights[0];
        let radii_m = weights
            .iter()
            .map(|weight| f64::from(map.largest_city_radius_m) * (weight / largest).sqrt())
            .collect();
        // Centres keep a margin of a tenth of the map, so most of a city is on it.
        let centres = (0..count)
            .map(|_| Point {
                x_m: (f64::from(map.width_m) * (0.1 + 0.8 * rng.unit_f64())) as u32,
                y_m: (f64::from(map.height_m) * (0.1 + 0.8 * rng.unit_f64())) as u32,
            })
            .collect();
        Cities {
            centres,
            radii_m,
            cumulative,
            width_m: map.width_m,
            height_m: map.height_m,
        }
    }

    /// A city drawn in proportion to its weight.
    pub(crate) fn draw(&self, rng: &mut Rng) -> usize {
        let unit = rng.unit_f64();
        self.cumulative
            .partition_point(|&through| through <= unit)
            .min(self.cumulative.len() - 1)
    }

    /// A point around city `city`: a normal scatter (Box–Muller) with its radius as the
    /// standard deviation, clamped to the map.
    pub(crate) fn point_near(&self, city: usize, rng: &mut Rng) -> Point {
        let radius_m = self.radii_m[city];
        let (u1, u2) = (1.0 - rng.unit_f64(), rng.unit_f64());
        let magnitude = (-2.0 * u1.ln()).sqrt() * radius_m;
        let angle = core::f64::consts::TAU * u2;
        let centre = self.centres[city];
        let clamp = |value: f64, max: u32| value.round().clamp(0.0, f64::from(max)) as u32;
        Point {
            x_m: clamp(
                f64::from(centre.x_m) + magnitude * angle.cos(),
                self.width_m,
            ),
            y_m: clamp(
                f64::from(centre.y_m) + magnitude * angle.sin(),
                self.height_m,
            ),
        }
    }
}

/// Where each of `sites` clinics is: each picks a city in proportion to its population and
/// scatters around it, from the map's seed alone.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{site_points, Scenario};
/// let map = Scenario::small(100).map;
/// let sites = site_points(&map, 10);
/// assert_eq!(sites.len(), 10);
/// assert_eq!(sites, site_points(&map, 10));
/// ```
pub fn site_points(map: &MapSpec, sites: u32) -> Vec<Point> {
    let cities = Cities::new(map);
    // A stream of its own, after the cities', so that the number of sites never moves them.
    let mut rng = Rng::new(SplitMix64::mix(map.seed ^ SITE_PLACE_STREAM ^ 1));
    (0..sites)
        .map(|_| {
            let city = cities.draw(&mut rng);
            cities.point_near(city, &mut rng)
        })
        .collect()
}

/// Finds the sites nearest a point: a k-d tree over the sites, searched nearest side first
/// and pruned by the distance to each splitting line.
///
/// Sites are placed by population, so a city centre packs hundreds of clinics into a few
/// square kilometres while the countryside has one in tens: a k-d tree adapts to that
/// density where a grid of square cells cannot (a cell sized for the countryside holds
/// hundreds of sites in a city, and every one of them was looked at).
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Point, SiteIndex};
/// let sites = [Point { x_m: 0, y_m: 0 }, Point { x_m: 900, y_m: 0 }, Point { x_m: 100, y_m: 0 }];
/// let index = SiteIndex::new(&sites, 1_000, 1_000);
/// let mut nearest = Vec::new();
/// index.nearest(Point { x_m: 0, y_m: 10 }, 2, &mut nearest);
/// assert_eq!(nearest, [0, 2]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteIndex {
    points: Vec<Point>,
    /// Site numbers in tree order: node `n` covers `order[n.start..n.end]`.
    order: Vec<u32>,
    /// `points` in tree order, so that a leaf is scanned from one run of memory.
    ordered_points: Vec<Point>,
    /// The tree, root first; a node's children follow it (`left` is `n + 1`).
    nodes: Vec<Node>,
}

/// One node of the k-d tree: a leaf, or a split of its sites at `split` along `axis`
/// (sites before the median have a coordinate at most `split`, the others at least).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    start: u32,
    end: u32,
    /// 0: x, 1: y; meaningless for a leaf.
    axis: u8,
    split: u32,
    /// The index of the right child; 0 for a leaf.
    right: u32,
}

/// Sites per leaf: a leaf is scanned whole, a split costs a comparison and a branch.
const LEAF_SITES: usize = 8;

impl SiteIndex {
    /// Indexes `points` (site `i` at `points[i]`). The map's size is accepted for callers
    /// that know it; the tree needs only the points.
    pub fn new(points: &[Point], _width_m: u32, _height_m: u32) -> SiteIndex {
        let mut order: Vec<u32> = (0..points.len() as u32).collect();
        let mut nodes = Vec::with_capacity(2 * points.len() / LEAF_SITES + 1);
        if !points.is_empty() {
            build(points, &mut order, 0, &mut nodes);
        }
        let ordered_points = order.iter().map(|&site| points[site as usize]).collect();
        SiteIndex {
            points: points.to_vec(),
            order,
            ordered_points,
            nodes,
        }
    }

    /// The site at `site`.
    pub fn point(&self, site: u32) -> Point {
        self.points[site as usize]
    }

    /// How many sites.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// `true` if there are none.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The `count` sites nearest `from`, nearest first (ties by site number), into `out`.
    pub fn nearest(&self, from: Point, count: usize, out: &mut Vec<u32>) {
        out.clear();
        let count = count.min(self.points.len());
        if count == 0 {
            return;
        }
        let mut search = Search {
            index: self,
            from,
            count,
            // Kept sorted, nearest first, by (squared distance, site): at most `count` long.
            best: Vec::with_capacity(count + 1),
        };
        search.visit(0);
        out.extend(search.best.iter().map(|&(_, site)| site));
    }
}

impl SiteIndex {
    /// Pushes to `out` every site of subtree `node` at most `sqrt(reach_squared)` from
    /// `from`.
    fn within(&self, from: Point, reach_squared: u64, node: usize, out: &mut Vec<u32>) {
        let Node {
            start,
            end,
            axis,
            split,
            right,
        } = self.nodes[node];
        if right == 0 {
            for position in start as usize..end as usize {
                if squared_distance(from, self.ordered_points[position]) <= reach_squared {
                    out.push(self.order[position]);
                }
            }
            return;
        }
        let value = if axis == 0 { from.x_m } else { from.y_m };
        let across = u64::from(value.abs_diff(split));
        let (near, far) = if value < split {
            (node + 1, right as usize)
        } else {
            (right as usize, node + 1)
        };
        self.within(from, reach_squared, near, out);
        if across * across <= reach_squared {
            self.within(from, reach_squared, far, out);
        }
    }
}

/// The sites nearest each of many points, nearest first, the same number for each: found
/// once, on every core, and kept, so that a run reads a person's list instead of searching.
///
/// Stored as `u16` when every site number fits, halving the memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NearestLists {
    per_point: usize,
    /// The lists end to end, when there are at most 65,536 sites.
    narrow: Vec<u16>,
    /// The lists end to end, otherwise.
    wide: Vec<u32>,
}

/// Below this many points a search on one thread is quicker than starting others.
const POINTS_PER_THREAD_MIN: usize = 20_000;

impl NearestLists {
    /// The `per_point` sites nearest each of `points` (fewer if there are fewer sites).
    pub(crate) fn find(index: &SiteIndex, points: &[Point], per_point: usize) -> NearestLists {
        let per_point = per_point.min(index.len());
        let mut lists = NearestLists {
            per_point,
            narrow: Vec::new(),
            wide: Vec::new(),
        };
        if index.len() <= usize::from(u16::MAX) + 1 {
            lists.narrow = find_all(index, points, per_point, |site| site as u16);
        } else {
            lists.wide = find_all(index, points, per_point, |site| site);
        }
        lists
    }

    /// How many sites each list holds.
    pub(crate) fn per_point(&self) -> usize {
        self.per_point
    }

    /// Replaces `out` with the first `count` sites of list `point`.
    pub(crate) fn read(&self, point: usize, count: usize, out: &mut Vec<u32>) {
        let range = point * self.per_point..point * self.per_point + count.min(self.per_point);
        out.clear();
        if self.wide.is_empty() {
            out.extend(self.narrow[range].iter().map(|&site| u32::from(site)));
        } else {
            out.extend_from_slice(&self.wide[range]);
        }
    }

    /// The lists in a new order: list `i` of the result is list `order[i]` of these.
    pub(crate) fn reordered(&self, order: impl Iterator<Item = usize>) -> NearestLists {
        fn gather<T: Copy>(lists: &[T], per_point: usize, order: &[usize]) -> Vec<T> {
            let mut out = Vec::with_capacity(lists.len());
            if lists.is_empty() {
                return out;
            }
            for &index in order {
                out.extend_from_slice(&lists[index * per_point..(index + 1) * per_point]);
            }
            out
        }
        let order: Vec<usize> = order.collect();
        NearestLists {
            per_point: self.per_point,
            narrow: gather(&self.narrow, self.per_point, &order),
            wide: gather(&self.wide, self.per_point, &order),
        }
    }
}

/// The searches of [`NearestLists::find`], made a group of nearby points at a time.
///
/// The points are split, k-d tree fashion, into groups small beside the distance to the
/// `per_point`-th site nearest their centre `c`: for any point `p` of a group, the
/// `per_point` nearest sites are within `d(c) + |p − c|` of `p` (the circle of radius `d(c)`
/// around `c` holds `per_point` sites), so within `d(c) + 2h` of `c`, `h` being the farthest
/// any point of the group is from `c`. Those candidates are gathered once per group, and
/// each point only ranks them: a scan of a short, contiguous list instead of a walk down the
/// tree. The ranking is the tree's exactly (squared distance, then site number). The groups
/// are shared among the cores, each writing its own lists.
fn find_all<T: Copy + Default + Send>(
    index: &SiteIndex,
    points: &[Point],
    per_point: usize,
    convert: fn(u32) -> T,
) -> Vec<T> {
    let mut lists = vec![T::default(); points.len() * per_point];
    if per_point == 0 || points.is_empty() {
        return lists;
    }
    // Point numbers in group order, and the groups as ranges of it.
    let mut ids: Vec<u32> = (0..points.len() as u32).collect();
    let mut groups = Vec::new();
    partition(index, points, &mut ids, 0, per_point, &mut groups);

    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(points.len() / POINTS_PER_THREAD_MIN)
        .max(1);
    // The lists in group order, cut into one run of whole groups per thread.
    let mut grouped = vec![T::default(); points.len() * per_point];
    let share = points.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut rest = grouped.as_mut_slice();
        let mut groups = groups.as_slice();
        let mut done = 0;
        while !groups.is_empty() {
            let take = groups
                .iter()
                .position(|group| group.end - done >= share)
                .map_or(groups.len(), |last| last + 1);
            let (mine, others) = groups.split_at(take);
            let end = mine.last().map_or(done, |group| group.end);
            let (lists, remaining) = rest.split_at_mut((end - done) * per_point);
            let (ids, first) = (&ids, done);
            scope.spawn(move || {
                let mut ranker = GroupRanker::default();
                for group in mine {
                    let range = group.start - first..group.end - first;
                    let lists = &mut lists[range.start * per_point..range.end * per_point];
                    ranker.rank(
                        index,
                        points,
                        &ids[group.start..group.end],
                        group,
                        lists,
                        convert,
                    );
                }
            });
            rest = remaining;
            groups = others;
            done = end;
        }
    });
    for (list, &id) in grouped.chunks_exact(per_point).zip(&ids) {
        let at = id as usize * per_point;
        lists[at..at + per_point].copy_from_slice(list);
    }
    lists
}

/// A run of [`find_all`]'s points ranked against one list of candidate sites.
struct Group {
    /// The points are `ids[start..end]`.
    start: usize,
    end: usize,
    /// The centre of their bounding box.
    centre: Point,
    /// Every site that may be among a point's nearest is at most this far from the centre,
    /// in metres; `None` for a small, spread-out group whose points each search the tree.
    reach_m: Option<u64>,
    /// No point of the group is farther than this from the centre, in metres.
    spread_m: u64,
}

/// Groups no larger than this are not split further.
const GROUP_POINTS_MIN: usize = 16;

/// Splits `ids` (from position `offset` of the whole list) into [`Group`]s: at the median of
/// the wider side of their bounding box, until the points are at most a quarter of the
/// distance to the `per_point`-th nearest site from their centre, or few.
fn partition(
    index: &SiteIndex,
    points: &[Point],
    ids: &mut [u32],
    offset: usize,
    per_point: usize,
    groups: &mut Vec<Group>,
) {
    let (mut low, mut high) = ([u32::MAX; 2], [0u32; 2]);
    for &id in ids.iter() {
        let point = points[id as usize];
        for (axis, value) in [point.x_m, point.y_m].into_iter().enumerate() {
            low[axis] = low[axis].min(value);
            high[axis] = high[axis].max(value);
        }
    }
    let centre = Point {
        x_m: low[0] + (high[0] - low[0]) / 2,
        y_m: low[1] + (high[1] - low[1]) / 2,
    };
    // Whole metres, rounded up: the bounds below only have to be large enough.
    let spread_m = ceil_sqrt(squared_distance(
        centre,
        Point {
            x_m: if centre.x_m - low[0] > high[0] - centre.x_m {
                low[0]
            } else {
                high[0]
            },
            y_m: if centre.y_m - low[1] > high[1] - centre.y_m {
                low[1]
            } else {
                high[1]
            },
        },
    ));
    let mut nearest = Vec::with_capacity(per_point);
    index.nearest(centre, per_point, &mut nearest);
    let kth_m = nearest.last().map_or(0, |&site| {
        ceil_sqrt(squared_distance(centre, index.point(site)))
    });
    let compact = 4 * spread_m <= kth_m;
    if compact || ids.len() <= GROUP_POINTS_MIN {
        groups.push(Group {
            start: offset,
            end: offset + ids.len(),
            centre,
            reach_m: compact.then_some(kth_m + 2 * spread_m),
            spread_m,
        });
        return;
    }
    let axis = usize::from(high[1] - low[1] > high[0] - low[0]);
    let middle = ids.len() / 2;
    ids.select_nth_unstable_by_key(middle, |&id| {
        let point = points[id as usize];
        ([point.x_m, point.y_m][axis], id)
    });
    let (left, right) = ids.split_at_mut(middle);
    partition(index, points, left, offset, per_point, groups);
    partition(index, points, right, offset + middle, per_point, groups);
}

/// The smallest whole number whose square is at least `value`.
fn ceil_sqrt(value: u64) -> u64 {
    let mut root = (value as f64).sqrt() as u64;
    while root * root < value {
        root += 1;
    }
    while root > 0 && (root - 1) * (root - 1) >= value {
        root -= 1;
    }
    root
}

fn squared_distance(a: Point, b: Point) -> u64 {
    let dx = i64::from(a.x_m) - i64::from(b.x_m);
    let dy = i64::from(a.y_m) - i64::from(b.y_m);
    (dx * dx + dy * dy) as u64
}

/// Sites numbered below this, at distances below [`PACKED_DISTANCE_M`], are ranked by one
/// `u64` (squared distance above, site number below) rather than a pair: the same order,
/// sorted three times faster.
const PACKED_SITES: u64 = 1 << 24;
/// See [`PACKED_SITES`]: squared distances then fit in the 40 bits above the site.
const PACKED_DISTANCE_M: u64 = 1 << 20;

/// Reused buffers for ranking groups.
#[derive(Default)]
struct GroupRanker {
    candidates: Vec<u32>,
    candidate_points: Vec<Point>,
    keys: Vec<(u64, u32)>,
    packed: Vec<u64>,
    nearest: Vec<u32>,
}

impl GroupRanker {
    /// Writes the nearest sites of each point of `group` (`ids`) to its list in `lists`.
    fn rank<T: Copy>(
        &mut self,
        index: &SiteIndex,
        points: &[Point],
        ids: &[u32],
        group: &Group,
        lists: &mut [T],
        convert: fn(u32) -> T,
    ) {
        let per_point = lists.len() / ids.len();
        let Some(reach_m) = group.reach_m else {
            for (&id, list) in ids.iter().zip(lists.chunks_exact_mut(per_point)) {
                index.nearest(points[id as usize], per_point, &mut self.nearest);
                for (slot, &site) in list.iter_mut().zip(&self.nearest) {
                    *slot = convert(site);
                }
            }
            return;
        };
        self.candidates.clear();
        index.within(group.centre, reach_m * reach_m, 0, &mut self.candidates);
        self.candidate_points.clear();
        self.candidate_points
            .extend(self.candidates.iter().map(|&site| index.point(site)));
        // A candidate is at most `reach + spread` from any point of the group.
        let packed =
            (index.len() as u64) <= PACKED_SITES && reach_m + group.spread_m < PACKED_DISTANCE_M;
        for (&id, list) in ids.iter().zip(lists.chunks_exact_mut(per_point)) {
            let from = points[id as usize];
            let squared = |point: &Point| squared_distance(from, *point);
            if packed {
                self.packed.clear();
                self.packed.extend(
                    self.candidate_points
                        .iter()
                        .zip(&self.candidates)
                        .map(|(point, &site)| squared(point) << 24 | u64::from(site)),
                );
                let nearest = nearest_first(&mut self.packed, per_point);
                for (slot, &key) in list.iter_mut().zip(nearest.iter()) {
                    *slot = convert((key & (PACKED_SITES - 1)) as u32);
                }
            } else {
                self.keys.clear();
                self.keys.extend(
                    self.candidate_points
                        .iter()
                        .zip(&self.candidates)
                        .map(|(point, &site)| (squared(point), site)),
                );
                let nearest = nearest_first(&mut self.keys, per_point);
                for (slot, &(_, site)) in list.iter_mut().zip(nearest.iter()) {
                    *slot = convert(site);
                }
            }
        }
    }
}

/// The `count` smallest of `keys` (which holds at least that many), in order.
fn nearest_first<K: Ord>(keys: &mut [K], count: usize) -> &[K] {
    if keys.len() > count {
        keys.select_nth_unstable(count - 1);
    }
    let nearest = &mut keys[..count];
    nearest.sort_unstable();
    nearest
}

/// Builds the subtree over `order[start..]` (a slice of the whole `order`, starting at
/// `start`) into `nodes`, and returns its root's index.
fn build(points: &[Point], order: &mut [u32], start: usize, nodes: &mut Vec<Node>) -> usize {
    let index = nodes.len();
    let end = start + order.len();
    nodes.push(Node {
        start: start as u32,
        end: end as u32,
        axis: 0,
        split: 0,
        right: 0,
    });
    if order.len() <= LEAF_SITES {
        return index;
    }
    // Split across the wider side of the sites' bounding box, at the median.
    let (mut low, mut high) = ([u32::MAX; 2], [0u32; 2]);
    for &site in order.iter() {
        let point = points[site as usize];
        for (axis, value) in [point.x_m, point.y_m].into_iter().enumerate() {
            low[axis] = low[axis].min(value);
            high[axis] = high[axis].max(value);
        }
    }
    let axis = usize::from(high[1] - low[1] > high[0] - low[0]);
    let coordinate = |site: &u32| {
        let point = points[*site as usize];
        ([point.x_m, point.y_m][axis], *site)
    };
    let middle = order.len() / 2;
    order.select_nth_unstable_by_key(middle, coordinate);
    let split = coordinate(&order[middle]).0;
    let (left, right) = order.split_at_mut(middle);
    build(points, left, start, nodes);
    let right_index = build(points, right, start + middle, nodes);
    nodes[index].axis = axis as u8;
    nodes[index].split = split;
    nodes[index].right = right_index as u32;
    index
}

/// One nearest-sites query in progress.
struct Search<'a> {
    index: &'a SiteIndex,
    from: Point,
    count: usize,
    best: Vec<(u64, u32)>,
}

impl Search<'_> {
    /// The squared distance a site must beat (or tie, with a lower number) to be kept.
    fn bound(&self) -> u64 {
        if self.best.len() < self.count {
            u64::MAX
        } else {
            self.best[self.count - 1].0
        }
    }

    fn visit(&mut self, node: usize) {
        let Node {
            start,
            end,
            axis,
            split,
            right,
        } = self.index.nodes[node];
        if right == 0 {
            for position in start as usize..end as usize {
                let point = self.index.ordered_points[position];
                let dx = i64::from(self.from.x_m) - i64::from(point.x_m);
                let dy = i64::from(self.from.y_m) - i64::from(point.y_m);
                // Squared distances in integers: exact, and no square root per site.
                let key = ((dx * dx + dy * dy) as u64, self.index.order[position]);
                if self.best.len() == self.count {
                    if key >= self.best[self.count - 1] {
                        continue;
                    }
                    self.best.pop();
                }
                let at = self.best.partition_point(|&kept| kept < key);
                self.best.insert(at, key);
            }
            return;
        }
        let value = if axis == 0 {
            self.from.x_m
        } else {
            self.from.y_m
        };
        let (near, far) = if value < split {
            (node + 1, right as usize)
        } else {
            (right as usize, node + 1)
        };
        self.visit(near);
        // Every site beyond the line is at least this far away along the axis; one exactly
        // as far may still win a tie on its number, so only a strictly farther line prunes.
        let across = u64::from(value.abs_diff(split));
        if across * across <= self.bound() {
            self.visit(far);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_matches_brute_force() {
        let map = MapSpec {
            width_m: 50_000,
            height_m: 30_000,
            cities: 5,
            city_size_exponent: 1.0,
            largest_city_radius_m: 5_000,
            worker_share: 0.5,
            commuter_share: 0.2,
            seed: 3,
        };
        let points = site_points(&map, 300);
        let index = SiteIndex::new(&points, map.width_m, map.height_m);
        let mut rng = Rng::new(9);
        let mut nearest = Vec::new();
        for _ in 0..500 {
            let from = Point {
                x_m: rng.below(50_001) as u32,
                y_m: rng.below(30_001) as u32,
            };
            let count = 1 + rng.below(20) as usize;
            index.nearest(from, count, &mut nearest);
            let mut all: Vec<(f64, u32)> = points
                .iter()
                .enumerate()
                .map(|(site, point)| {
                    let dx = f64::from(from.x_m) - f64::from(point.x_m);
                    let dy = f64::from(from.y_m) - f64::from(point.y_m);
                    (dx * dx + dy * dy, site as u32)
                })
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let expected: Vec<u32> = all.iter().take(count).map(|&(_, site)| site).collect();
            assert_eq!(nearest, expected, "from {from:?}, {count} nearest");
        }
    }

    #[test]
    fn nearest_breaks_ties_by_site_number_as_brute_force_does() {
        // Sites on a coarse lattice, many at the same point or the same distance.
        let mut rng = Rng::new(17);
        let points: Vec<Point> = (0..400)
            .map(|_| Point {
                x_m: 1_000 * rng.below(6) as u32,
                y_m: 1_000 * rng.below(6) as u32,
            })
            .collect();
        let index = SiteIndex::new(&points, 5_000, 5_000);
        let mut nearest = Vec::new();
        for _ in 0..300 {
            let from = Point {
                x_m: 500 * rng.below(11) as u32,
                y_m: 500 * rng.below(11) as u32,
            };
            let count = 1 + rng.below(450) as usize;
            index.nearest(from, count, &mut nearest);
            let mut all: Vec<(u64, u32)> = points
                .iter()
                .enumerate()
                .map(|(site, point)| {
                    let dx = i64::from(from.x_m) - i64::from(point.x_m);
                    let dy = i64::from(from.y_m) - i64::from(point.y_m);
                    ((dx * dx + dy * dy) as u64, site as u32)
                })
                .collect();
            all.sort_unstable();
            let expected: Vec<u32> = all.iter().take(count).map(|&(_, site)| site).collect();
            assert_eq!(nearest, expected, "from {from:?}, {count} nearest");
        }
    }

    #[test]
    fn lists_found_by_group_are_the_trees_own() {
        let map = MapSpec {
            width_m: 80_000,
            height_m: 60_000,
            cities: 8,
            city_size_exponent: 1.0,
            largest_city_radius_m: 4_000,
            worker_share: 0.5,
            commuter_share: 0.2,
            seed: 5,
        };
        let sites = site_points(&map, 700);
        let index = SiteIndex::new(&sites, map.width_m, map.height_m);
        // People around the cities (dense groups), scattered over the map (groups that
        // search one by one), on top of each other and on top of sites (ties), and enough
        // of them for several threads.
        let cities = Cities::new(&map);
        let mut rng = Rng::new(11);
        let mut points: Vec<Point> = (0..2 * POINTS_PER_THREAD_MIN + 100)
            .map(|n| match n % 10 {
                0 => Point {
                    x_m: rng.below(80_001) as u32,
                    y_m: rng.below(60_001) as u32,
                },
                1 => sites[rng.below(sites.len() as u64) as usize],
                _ => cities.point_near(cities.draw(&mut rng), &mut rng),
            })
            .collect();
        points.extend([points[7]; 40]);
        let few = &points[..600];
        for (points, per_point) in [(&points[..], 1), (&points[..], 32), (few, 7), (few, 900)] {
            let lists = NearestLists::find(&index, points, per_point);
            assert_eq!(lists.per_point(), per_point.min(sites.len()));
            let (mut found, mut expected) = (Vec::new(), Vec::new());
            for (n, &point) in points.iter().enumerate() {
                lists.read(n, per_point, &mut found);
                index.nearest(point, per_point, &mut expected);
                assert_eq!(
                    found, expected,
                    "point {n} at {point:?}, {per_point} nearest"
                );
            }
        }
    }

    #[test]
    fn lists_on_a_continent_rank_by_pairs_as_the_tree_does() {
        // Distances past a thousand kilometres do not fit the packed ranking.
        let map = MapSpec {
            width_m: 3_000_000,
            height_m: 2_000_000,
            cities: 4,
            city_size_exponent: 0.5,
            largest_city_radius_m: 400_000,
            worker_share: 0.5,
            commuter_share: 0.2,
            seed: 8,
        };
        let sites = site_points(&map, 300);
        let index = SiteIndex::new(&sites, map.width_m, map.height_m);
        let cities = Cities::new(&map);
        let mut rng = Rng::new(12);
        let points: Vec<Point> = (0..1_000)
            .map(|_| cities.point_near(cities.draw(&mut rng), &mut rng))
            .collect();
        let lists = NearestLists::find(&index, &points, 120);
        let (mut found, mut expected) = (Vec::new(), Vec::new());
        for (n, &point) in points.iter().enumerate() {
            lists.read(n, 120, &mut found);
            index.nearest(point, 120, &mut expected);
            assert_eq!(found, expected, "point {n} at {point:?}");
        }
    }

    #[test]
    fn bigger_cities_get_more_sites() {
        let map = MapSpec {
            width_m: 100_000,
            height_m: 100_000,
            cities: 10,
            city_size_exponent: 1.0,
            largest_city_radius_m: 5_000,
            worker_share: 0.5,
            commuter_share: 0.2,
            seed: 1,
        };
        let cities = Cities::new(&map);
        let mut rng = Rng::new(4);
        let mut counts = [0u32; 10];
        for _ in 0..20_000 {
            counts[cities.draw(&mut rng)] += 1;
        }
        // Weights 1, 1/2, ..., 1/10 sum to 2.93: the largest city gets about 34%.
        assert!((6_300..7_300).contains(&counts[0]), "{counts:?}");
        assert!(counts[0] > counts[1] && counts[1] > counts[9], "{counts:?}");
    }
}

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

/// Finds the sites nearest a point: a grid of square cells over the map, searched in rings
/// outwards until no unseen cell can hold anything nearer.
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
    cell_m: u32,
    columns: u32,
    rows: u32,
    /// Site numbers per cell, row by row.
    cells: Vec<Vec<u32>>,
}

impl SiteIndex {
    /// Indexes `points` (site `i` at `points[i]`) on a map of the given size.
    pub fn new(points: &[Point], width_m: u32, height_m: u32) -> SiteIndex {
        // About two sites per cell keeps a search to a few rings.
        let area = f64::from(width_m.max(1)) * f64::from(height_m.max(1));
        let cell_m = ((area / (points.len().max(1) as f64 / 2.0)).sqrt() as u32).max(100);
        let columns = width_m / cell_m + 1;
        let rows = height_m / cell_m + 1;
        let mut cells = vec![Vec::new(); (columns * rows) as usize];
        for (site, point) in points.iter().enumerate() {
            let cell = Self::cell_of(*point, cell_m, columns, rows);
            cells[cell].push(site as u32);
        }
        SiteIndex {
            points: points.to_vec(),
            cell_m,
            columns,
            rows,
            cells,
        }
    }

    fn cell_of(point: Point, cell_m: u32, columns: u32, rows: u32) -> usize {
        let column = (point.x_m / cell_m).min(columns - 1);
        let row = (point.y_m / cell_m).min(rows - 1);
        (row * columns + column) as usize
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
        // Squared distances in integers: exact, and no square root per site looked at.
        let squared = |point: Point| {
            let dx = i64::from(from.x_m) - i64::from(point.x_m);
            let dy = i64::from(from.y_m) - i64::from(point.y_m);
            (dx * dx + dy * dy) as u64
        };
        let mut found: Vec<(u64, u32)> = Vec::with_capacity(count * 4);
        let column = (from.x_m / self.cell_m).min(self.columns - 1) as i64;
        let row = (from.y_m / self.cell_m).min(self.rows - 1) as i64;
        let max_ring = i64::from(self.columns.max(self.rows));
        for ring in 0..=max_ring {
            for (cell_column, cell_row) in ring_cells(column, row, ring) {
                if cell_column < 0
                    || cell_row < 0
                    || cell_column >= i64::from(self.columns)
                    || cell_row >= i64::from(self.rows)
                {
                    continue;
                }
                let cell = (cell_row * i64::from(self.columns) + cell_column) as usize;
                for &site in &self.cells[cell] {
                    found.push((squared(self.points[site as usize]), site));
                }
            }
            if found.len() >= count {
                // Every point in an unseen ring is at least `ring × cell` away from `from`.
                let (_, kth, _) = found.select_nth_unstable(count - 1);
                let reach_m = u64::try_from(ring).unwrap_or(0) * u64::from(self.cell_m);
                if kth.0 <= reach_m * reach_m {
                    break;
                }
            }
        }
        if found.len() > count {
            found.select_nth_unstable(count - 1);
            found.truncate(count);
        }
        found.sort_unstable();
        out.extend(found.iter().map(|&(_, site)| site));
    }
}

/// The cells at Chebyshev distance `ring` from `(column, row)`.
fn ring_cells(column: i64, row: i64, ring: i64) -> impl Iterator<Item = (i64, i64)> {
    let side = (-ring..=ring).collect::<Vec<_>>();
    let edges: Vec<(i64, i64)> = if ring == 0 {
        vec![(column, row)]
    } else {
        let mut cells = Vec::with_capacity(8 * ring as usize);
        for &offset in &side {
            cells.push((column + offset, row - ring));
            cells.push((column + offset, row + ring));
        }
        for &offset in &side[1..side.len() - 1] {
            cells.push((column - ring, row + offset));
            cells.push((column + ring, row + offset));
        }
        cells
    };
    edges.into_iter()
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

//! The waiting-room page in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver` packages) driven over WebDriver.
//!
//! One person joins from two tabs and sees one place in both; the door opens; the second tab
//! picks two ranked slots and books; the first tab, live, shows the booking. Screenshots of
//! the waiting and the booked page are kept in `target/browser/` as the test's artifacts.
//!
//! It needs the browser installed, so it is ignored in a plain `cargo test`; `.ci/run`
//! installs the packages and runs it with `--ignored`:
//!
//! ```text
//! apt-get install -y chromium chromium-driver
//! cargo test -p fairbook-server --test browser -- --ignored
//! ```
//! `FAIRBOOK_CHROMEDRIVER` and `FAIRBOOK_CHROMIUM` override the two programs' paths.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Chromedriver as a child process, killed when dropped (a failed assertion included).
struct Driver {
    child: Child,
    url: String,
    profile: PathBuf,
}

impl Driver {
    fn start() -> Driver {
        // A free port: bind one, note it, let it go.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let program =
            std::env::var("FAIRBOOK_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start {program} ({error}): apt-get install chromium-driver")
            });
        let profile =
            std::env::temp_dir().join(format!("fairbook-chromium-{}", std::process::id()));
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profile,
        }
    }

    /// A browser session, once chromedriver answers.
    async fn connect(&self) -> Client {
        let chromium =
            std::env::var("FAIRBOOK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium,
                // The flags that keep a headless Chromium from reaching the network on its own.
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=900,1000",
                    format!("--user-data-dir={}", self.profile.display()),
                ],
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&self.url)
                .await
            {
                Ok(client) => return client,
                Err(error) if Instant::now() > deadline => {
                    panic!("no browser session from chromedriver: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

async fn text(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no {css}: {error}"))
        .text()
        .await
        .unwrap()
}

/// Waits until `#state` says `state` (the page updates it from the live event stream).
async fn wait_for_state(browser: &Client, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(element) = browser.find(Locator::Id("state")).await {
            if element.attr("data-state").await.unwrap().as_deref() == Some(state) {
                return;
            }
        }
        assert!(Instant::now() < deadline, "the page never showed {state}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn artifact(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let directory = target.join("browser");
    std::fs::create_dir_all(&directory).unwrap();
    directory.join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: .ci/run installs them and runs this with --ignored"]
async fn two_tabs_wait_in_one_place_and_book_in_the_browser() {
    let h = Harness::start().await;
    // Someone is already in line, so the person of the test has one ahead.
    assert_eq!(h.join(500).await.status(), 200);

    let driver = Driver::start();
    let browser = driver.connect().await;
    let page = format!("{}/", h.url);

    // Tab one: join as person 42.
    browser.goto(&page).await.unwrap();
    let person = browser.find(Locator::Id("person")).await.unwrap();
    person.send_keys("42").await.unwrap();
    browser
        .find(Locator::Id("join"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_state(&browser, "waiting").await;
    assert_eq!(text(&browser, "#place").await, "#2");
    assert_eq!(text(&browser, "#ahead").await, "1");
    assert_eq!(text(&browser, "#state").await, "Waiting in line");
    let first_tab = browser.window().await.unwrap();
    std::fs::write(
        artifact("waiting-room.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    // Tab two: the page remembers the person; joining again gives the same place.
    let second_tab = browser.new_window(true).await.unwrap().handle;
    browser.switch_to_window(second_tab.clone()).await.unwrap();
    browser.goto(&page).await.unwrap();
    let remembered = browser.find(Locator::Id("person")).await.unwrap();
    assert_eq!(
        remembered.prop("value").await.unwrap().as_deref(),
        Some("42")
    );
    browser
        .find(Locator::Id("join"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_state(&browser, "waiting").await;
    assert_eq!(text(&browser, "#place").await, "#2");

    // The door opens; the page turns to booking by itself.
    h.open_door().await;
    wait_for_state(&browser, "admitted").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.find(Locator::Css("button.choose")).await.is_err() {
        assert!(Instant::now() < deadline, "no slots to choose from");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Ranked: slot 0 (no capacity) is disabled; choose slot 2 first, then slot 3.
    let full = browser
        .find(Locator::Css("button.choose[data-slot='0']"))
        .await
        .unwrap();
    assert_eq!(
        full.prop("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    for slot in ["2", "3"] {
        let css = format!("button.choose[data-slot='{slot}']");
        browser
            .find(Locator::Css(&css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    let choices = text(&browser, "#choices").await;
    assert!(choices.starts_with("slot 2"), "{choices}");
    browser
        .find(Locator::Id("book"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_state(&browser, "booked").await;
    assert_eq!(
        text(&browser, "#result").await,
        "slot 2: site 2, day 2, window 0"
    );

    // The first tab follows live: same place, booked.
    browser.switch_to_window(first_tab).await.unwrap();
    wait_for_state(&browser, "booked").await;
    assert_eq!(text(&browser, "#place").await, "#2");
    assert_eq!(
        text(&browser, "#result").await,
        "slot 2: site 2, day 2, window 0"
    );
    std::fs::write(artifact("booked.png"), browser.screenshot().await.unwrap()).unwrap();

    // What the page showed is what the engine holds.
    let status = h.status(42).await;
    assert_eq!(status["status"]["state"], "booked");
    assert_eq!(status["status"]["slots"], json!([2]));
    let audit: Value = h.audit().await;
    assert_eq!(
        (audit["ok"].as_bool(), audit["report"]["bookings"].as_u64()),
        (Some(true), Some(1))
    );

    browser.close().await.unwrap();
    drop(driver);
    h.stop().await;
}

//! A real headless Chromium, driven through chromedriver's HTTP API, to open
//! the HTML reports as a person would: at a desktop width and at a phone's,
//! with a screenshot of each kept under target/html-screenshots (looked at,
//! never compared pixel by pixel) and the facts of what is shown read from
//! the laid-out page.
//!
//! Chromium and chromedriver come from Debian's packages (tests/setup.sh).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// A phone's width in CSS pixels, and a laptop's.
pub const PHONE: u32 = 390;
pub const DESKTOP: u32 = 1280;

/// Runs in the page once it has loaded: what a reader sees, as JSON.
const PROBE: &str = r"
const d = document.documentElement;
const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent.trim() : null; };
const nav = performance.getEntriesByType('navigation')[0];
return JSON.stringify({
  scrollWidth: d.scrollWidth,
  viewWidth: window.innerWidth,
  outcome: text('[data-outcome]'),
  decision: text('[data-decision]'),
  score: text('[data-score]'),
  trends: [...document.querySelectorAll('figure.trend')].map(f => ({
    stage: f.dataset.stage,
    charts: f.querySelectorAll('svg.chart').length,
    chartWidths: [...f.querySelectorAll('svg.chart')].map(s => Math.round(s.getBoundingClientRect().width)),
  })),
  overflowing: [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.table') && e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className).slice(0, 5),
  scripts: document.scripts.length,
  loadMs: nav ? nav.loadEventStart : null,
  text: document.body.innerText,
});
";

/// What the probe found.
#[derive(Debug)]
pub struct Shown {
    pub scroll_width: u64,
    pub view_width: u64,
    pub outcome: Option<String>,
    pub decision: Option<String>,
    pub score: Option<String>,
    /// Per trend figure: its stage and how many charts it holds, and their widths.
    pub trends: Vec<(String, usize, Vec<u64>)>,
    /// Elements outside a table's scroll box that stick out of the viewport.
    pub overflowing: Vec<String>,
    pub scripts: u64,
    /// Navigation start to the load event, in ms.
    pub load_ms: f64,
    pub text: String,
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn call(method: &str, url: &str, body: Option<&Value>) -> Value {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build(),
    );
    let response = match body {
        Some(body) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body.to_string().as_str()),
        None if method == "DELETE" => agent.delete(url).call(),
        None => agent.get(url).call(),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(
        response.status().is_success(),
        "{method} {url}: {} {text}",
        response.status()
    );
    value
}

/// chromium and chromedriver, or a failure that says how to get them.
fn programs() -> (PathBuf, PathBuf) {
    let find = |name: &str| {
        which::which(name).unwrap_or_else(|_| {
            panic!("`{name}` is not installed: run `bash tests/setup.sh` (Debian's chromium and chromium-driver)")
        })
    };
    (find("chromium"), find("chromedriver"))
}

impl Browser {
    /// A fresh browser at `width` CSS pixels (a phone's is emulated as one).
    pub fn open(width: u32) -> Browser {
        let (chromium, chromedriver) = programs();
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let ready =
            crate::support::eventually(|| ureq::get(&format!("{base}/status")).call().is_ok());
        assert!(ready, "chromedriver never answered on {base}");
        let profile = tempfile::tempdir().unwrap();
        // Chromium as root on a closed network: no sandbox, and none of the
        // background connections it would otherwise try.
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--hide-scrollbars".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={},1000", width.max(800)),
        ];
        let mut options = json!({ "binary": chromium, "args": args });
        // A headless window is never narrower than 500 px: a phone is
        // emulated, as the browser's device mode does.
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": 1000, "pixelRatio": 1.0, "mobile": width < 800 }
        });
        let created = call(
            "POST",
            &format!("{base}/session"),
            Some(&json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": options } } })),
        );
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Browser {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}/{path}", self.base, self.session)
    }

    /// Open `page`, save a full-page screenshot as `name`, and read what it shows.
    pub fn show(&self, page: &Path, name: &str) -> Shown {
        call(
            "POST",
            &self.url("url"),
            Some(&json!({ "url": format!("file://{}", page.display()) })),
        );
        let probe = call(
            "POST",
            &self.url("execute/sync"),
            Some(&json!({ "script": PROBE, "args": [] })),
        );
        let probe: Value =
            serde_json::from_str(probe["value"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
        self.screenshot(name);
        let text = |key: &str| probe[key].as_str().map(str::to_owned);
        Shown {
            scroll_width: probe["scrollWidth"].as_u64().unwrap_or(u64::MAX),
            view_width: probe["viewWidth"].as_u64().unwrap_or(0),
            outcome: text("outcome"),
            decision: text("decision"),
            score: text("score"),
            trends: probe["trends"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| {
                    (
                        t["stage"].as_str().unwrap_or("").to_owned(),
                        usize::try_from(t["charts"].as_u64().unwrap_or(0)).unwrap_or(0),
                        t["chartWidths"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_u64)
                            .collect(),
                    )
                })
                .collect(),
            overflowing: probe["overflowing"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            scripts: probe["scripts"].as_u64().unwrap_or(u64::MAX),
            load_ms: probe["loadMs"].as_f64().unwrap_or(f64::NAN),
            text: text("text").unwrap_or_default(),
        }
    }

    /// The whole page, however long, through the `DevTools` protocol.
    fn screenshot(&self, name: &str) {
        let shot = call(
            "POST",
            &self.url("goog/cdp/execute"),
            Some(&json!({
                "cmd": "Page.captureScreenshot",
                "params": { "format": "png", "captureBeyondViewport": true }
            })),
        );
        let png = decode_base64(shot["value"]["data"].as_str().unwrap_or(""));
        assert!(png.starts_with(b"\x89PNG"), "not a PNG screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// target/html-screenshots, kept after the tests for people to look at.
pub fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-screenshots")
}

/// The page's load time is recorded beside the screenshots, for people to
/// read (tests assert facts, never times).
fn record_load_time(name: &str, width: u32, load_ms: f64) {
    use std::io::Write;
    let dir = screenshots_dir();
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("load-times.txt"))
    {
        let _ = writeln!(
            file,
            "{name} at {width} px: load event after {load_ms:.0} ms"
        );
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut bits = 0u32;
    let mut count = 0;
    for v in text.bytes().filter_map(value) {
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).unwrap_or(0));
        }
    }
    out
}

/// Open `page` at a laptop's and a phone's width; each view is checked to
/// fit its width and returned.
pub fn look_at(page: &Path, name: &str) -> Vec<Shown> {
    [DESKTOP, PHONE]
        .iter()
        .map(|&width| {
            let shown = Browser::open(width).show(page, &format!("{name}-{width}"));
            // A phone widens its layout viewport (zooms out) to fit a page
            // that is too wide: that is sideways overflow too.
            assert_eq!(
                shown.view_width,
                u64::from(width),
                "{name} at {width} px: the page is wider than the screen ({:?})",
                shown.overflowing
            );
            assert!(
                shown.scroll_width <= shown.view_width,
                "{name} at {width} px scrolls sideways: {} px wide ({:?})",
                shown.scroll_width,
                shown.overflowing
            );
            assert!(
                shown.overflowing.is_empty(),
                "{name} at {width} px: {:?} stick out",
                shown.overflowing
            );
            assert_eq!(shown.scripts, 0, "{name}: the page needs no script");
            record_load_time(name, width, shown.load_ms);
            shown
        })
        .collect()
}

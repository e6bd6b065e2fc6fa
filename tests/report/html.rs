//! The HTML report: a snapshot of a mixed run, markup from servers shown as text, tags
//! balanced, and only scenarios that did not pass carry their exchanges.

use crate::support::report as report_support;

use report_support::*;
use std::path::Path;

use scimcheck::report::{html_string, write_html};

const VOID: &[&str] = &["meta", "br", "hr", "img", "input", "link"];

/// Start and end tags pair up (an HTML5 page is not XML, so a small stack does it).
fn assert_balanced(html: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').expect("every tag closes");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "at <{tag}>");
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn html_of_a_mixed_run() {
    let mut settings = snapshot_settings();
    settings.add_filter(r", \d+ ms</small>", ", [ms] ms</small>");
    // The style is long and says nothing about the content; the browser tests check it.
    settings.add_filter(r"<style>.*</style>", "<style>[style]</style>");
    let html = html_string(&mixed_run());
    settings.bind(|| insta::assert_snapshot!("html_mixed_run", html));
}

#[test]
fn the_page_is_balanced_and_server_markup_is_escaped() {
    let html = html_string(&mixed_run());
    assert_balanced(&html);
    assert!(html.contains("a &lt; b &amp; c &gt; d"), "{html}");
    assert!(!html.contains("a < b"), "raw markup from a response leaked");
}

#[test]
fn the_balance_check_notices_a_missing_end_tag() {
    let broken = std::panic::catch_unwind(|| assert_balanced("<table><tr><td>x</tr></table>"));
    assert!(broken.is_err());
}

#[test]
fn totals_and_details_follow_the_outcomes() {
    let summary = mixed_run();
    let html = html_string(&summary);
    for (label, count) in [
        ("passed", 1),
        ("failed", 1),
        ("deviated", 1),
        ("skipped", 1),
        ("errored", 1),
        ("warned", 0),
    ] {
        assert!(
            html.contains(&format!("data-count=\"{label}\"><b>{count}</b>")),
            "{label}: {html}"
        );
    }
    for result in &summary.results {
        let anchor = format!("<details class=\"scenario\" id=\"{}\"", result.id);
        let passed = result.outcome.label() == "pass";
        assert_eq!(html.contains(&anchor), !passed, "{}", result.id);
    }
    assert!(html.contains("Bearer [REDACTED]"));
}

#[test]
fn write_html_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reports/run.html");
    write_html(&mixed_run(), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
}

#[test]
fn control_characters_from_the_server_are_shown_escaped_in_html() {
    let text = html_string(&summary_of(vec![forged()], false));
    for c in FORGING_CHARACTERS {
        assert!(!text.contains(*c), "{c:?} in the HTML:\n{text:?}");
    }
}

/// The page in a real browser: headless Chromium, found at `$SCIMCHECK_CHROMIUM` or
/// `/usr/bin/chromium` (`.ci/run` installs Debian's). Without one these tests say so and
/// pass, so `cargo test` needs nothing but Rust; with `SCIMCHECK_CHROMIUM` set, a missing
/// browser fails them.
mod browser {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    const PATIENCE: Duration = Duration::from_secs(90);

    pub fn find() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("SCIMCHECK_CHROMIUM").filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            assert!(
                path.exists(),
                "SCIMCHECK_CHROMIUM names {}, which does not exist",
                path.display()
            );
            return Some(path);
        }
        let default = PathBuf::from("/usr/bin/chromium");
        if default.exists() {
            return Some(default);
        }
        eprintln!(
            "skipped: no Chromium (set SCIMCHECK_CHROMIUM or install Debian's chromium) to check the HTML report in"
        );
        None
    }

    /// What one browser run wrote: its DOM dump (with `--dump-dom`) and its log.
    pub struct Ran {
        pub stdout: String,
        pub stderr: String,
    }

    impl Ran {
        /// Console messages of the page (`INFO:CONSOLE` lines): errors, CSP refusals and
        /// logs alike; the report has no script, so it must have none.
        pub fn console(&self) -> Vec<&str> {
            self.stderr
                .lines()
                .filter(|line| line.contains(":CONSOLE"))
                .collect()
        }
    }

    /// Runs the browser headless on `page` with `args`, in a fresh profile.
    pub fn run(browser: &Path, page: &Path, args: &[&str]) -> Ran {
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut child = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the browser starts");
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let read = |mut stream: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = stream.read_to_string(&mut text);
                text
            })
        };
        let (stdout, stderr) = (read(Box::new(stdout)), read(Box::new(stderr)));
        let started = Instant::now();
        loop {
            if child.try_wait().expect("wait for the browser").is_some() {
                break;
            }
            if started.elapsed() > PATIENCE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the browser did not finish within {PATIENCE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ran {
            stdout: stdout.join().expect("stdout"),
            stderr: stderr.join().expect("stderr"),
        }
    }

    /// A page that shows `report` in a frame `width` CSS pixels wide (headless windows
    /// are at least 500 wide) and writes what the layout came to into `#facts`.
    pub fn framed(report: &str, width: u32, height: u32) -> String {
        let escaped = report
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!(
            "<!DOCTYPE html><html><head><style>body{{margin:0}}iframe{{border:0;display:block}}</style></head>\
             <body><iframe id=\"report\" width=\"{width}\" height=\"{height}\" srcdoc=\"{escaped}\"></iframe>\
             <pre id=\"facts\"></pre><script>{PROBE}</script></body></html>"
        )
    }

    /// Layout facts of the framed report, as `name=value` lines.
    const PROBE: &str = "window.addEventListener('load', () => {\
        const d = document.getElementById('report').contentDocument;\
        const root = d.documentElement;\
        const first = d.body.firstElementChild;\
        const box = first.getBoundingClientRect();\
        const wide = [...d.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 1).length;\
        document.getElementById('facts').textContent = [\
          'width=' + root.clientWidth,\
          'scroll_width=' + root.scrollWidth,\
          'first=' + first.tagName.toLowerCase() + '.' + first.className,\
          'first_top=' + Math.round(box.top),\
          'first_height=' + Math.round(box.height),\
          'wider_than_page=' + wide,\
        ].join('\\n');\
      });";

    /// The facts the probe wrote into the dumped DOM.
    pub fn facts(dom: &str) -> std::collections::BTreeMap<String, String> {
        let start = dom.find("<pre id=\"facts\">").expect("the facts element") + 16;
        let end = start + dom[start..].find("</pre>").expect("the facts end");
        dom[start..end]
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// The run the browser checks: one scenario of every outcome, with curl lines and a
/// requirement coverage figure.
fn browser_run() -> scimcheck::result::RunSummary {
    let mut summary = measured(summary_of(verdict_results(false), false));
    summary.results.push(forged());
    summary
}

#[test]
fn in_a_browser_the_page_logs_nothing_and_its_layout_holds_at_400_and_1280_px() {
    let Some(browser) = browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = html_string(&browser_run());
    let direct = dir.path().join("report.html");
    std::fs::write(&direct, &report).unwrap();
    let ran = browser::run(&browser, &direct, &["--dump-dom", "--window-size=1280,900"]);
    assert!(
        ran.stdout.contains("class=\"banner"),
        "no page: {}",
        ran.stderr
    );
    assert_eq!(ran.console(), Vec::<&str>::new(), "console messages");

    for (width, height) in [(400, 1200), (1280, 900)] {
        let page = dir.path().join(format!("framed-{width}.html"));
        std::fs::write(&page, browser::framed(&report, width, height)).unwrap();
        let window = format!("--window-size={},{}", width.max(500) + 20, height + 100);
        let ran = browser::run(&browser, &page, &["--dump-dom", &window]);
        assert_eq!(ran.console(), Vec::<&str>::new(), "console at {width} px");
        let facts = browser::facts(&ran.stdout);
        let number = |name: &str| -> i64 {
            facts[name]
                .parse()
                .unwrap_or_else(|_| panic!("{name} in {facts:?}"))
        };
        let page_width = number("width");
        assert!(
            page_width <= width as i64 && page_width > width as i64 - 30,
            "{facts:?}"
        );
        assert!(
            number("scroll_width") <= page_width,
            "the page scrolls sideways at {width} px: {facts:?}"
        );
        assert_eq!(number("wider_than_page"), 0, "at {width} px: {facts:?}");
        assert!(
            facts["first"].starts_with("header.banner"),
            "the verdict banner is not first at {width} px: {facts:?}"
        );
        assert!(
            number("first_top") < 40 && number("first_height") > 100,
            "the banner is not at the top at {width} px: {facts:?}"
        );
    }
}

#[test]
fn the_console_check_notices_a_script_error() {
    let Some(browser) = browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(&page, "<!DOCTYPE html><p>x</p><script>missing()</script>").unwrap();
    let ran = browser::run(&browser, &page, &["--dump-dom"]);
    assert!(
        ran.console().iter().any(|line| line.contains("Uncaught")),
        "{}",
        ran.stderr
    );
}

/// Pages of a PDF: its page objects (`/Type /Page`, not the `/Pages` tree).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, found)| !text[at + found.len()..].starts_with('s'))
        .count()
}

#[test]
fn printed_the_page_is_a_short_document() {
    let Some(browser) = browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html_string(&mixed_run())).unwrap();
    let pdf = dir.path().join("report.pdf");
    let ran = browser::run(
        &browser,
        &page,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {}", ran.stderr));
    let pages = pdf_pages(&bytes);
    assert!((1..=3).contains(&pages), "{pages} pages");
}

#[test]
fn a_screenshot_at_400_px_is_400_px_wide() {
    let Some(browser) = browser::find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("framed.html");
    std::fs::write(
        &page,
        browser::framed(&html_string(&browser_run()), 400, 1200),
    )
    .unwrap();
    // The screenshot is cut to the window: the frame's 400 px from the left.
    let shot = dir.path().join("report-400px.png");
    browser::run(
        &browser,
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=400,1200",
            "--hide-scrollbars",
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[1..4], b"PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 400);
    // `SCIMCHECK_SCREENSHOT_DIR=docs/images` keeps it (the one in the README).
    if let Some(keep) = std::env::var_os("SCIMCHECK_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&keep).join("report-400px.png")).expect("kept");
    }
}

#[test]
fn the_verdict_banner_comes_first_and_failures_before_the_list_of_scenarios() {
    let html = html_string(&mixed_run());
    let body = &html[html.find("<body>").unwrap() + "<body>".len()..];
    assert!(
        body.trim_start()
            .starts_with("<header class=\"banner failed\""),
        "{body}"
    );
    for fact in ["target", "profile", "date", "scimcheck", "pass rate"] {
        assert!(html.contains(&format!("<dt>{fact}</dt>")), "{fact}");
    }
    assert!(
        html.contains("33 % (1 of 3 judged scenarios passed)"),
        "{html}"
    );
    let failures = html.find("id=\"failures\"").expect("a failures section");
    let all = html.find("id=\"scenarios\"").expect("a scenario list");
    assert!(failures < all);
    assert!(html.contains("id=\"signoff\""));
}

#[test]
fn a_failure_links_its_rfc_section_and_shows_the_request_answer_and_curl_line() {
    let html = html_string(&mixed_run());
    assert!(
        html.contains("<a href=\"https://www.rfc-editor.org/rfc/rfc7644#section-3.3\""),
        "{html}"
    );
    assert!(html.contains("<code>PATCH http://127.0.0.1:8080/scim/v2/Groups/g-1</code>"));
    assert!(html.contains("<code>HTTP 200</code>"));
    assert!(html.contains("curl -i -sS -X PATCH"), "{html}");
    assert!(html.contains("Authorization: Bearer $SCIM_TOKEN"), "{html}");
    assert!(html.contains("hint: the PATCH answered 200 but the member list is unchanged"));
    assert!(
        html.contains("scenario: builtin:core/groups.yaml:48:11"),
        "{html}"
    );
}

#[test]
fn json_bodies_are_pretty_printed_and_fold_away() {
    let html = html_string(&mixed_run());
    let body = r#"{"id":"g-1","members":[],"meta":{"version":"W/\"1\""},"note":"a < b & c > d"}"#;
    assert!(
        html.contains(&format!(
            "<details class=\"body\"><summary>response body ({} bytes)</summary><pre class=\"json\">{{\n  &quot;id&quot;: &quot;g-1&quot;,\n  &quot;members&quot;: [],",
            body.len()
        )),
        "{html}"
    );
}

#[test]
fn requirement_coverage_shows_only_once_a_run_measures_it() {
    assert!(!html_string(&mixed_run()).contains("requirement coverage"));
    let html = html_string(&browser_run());
    assert!(
        html.contains("<dt>requirement coverage</dt><dd>60 % of 197 server statements checked (120); MUSTs checked at must: 90 of 150 (60 %)</dd>"),
        "{html}"
    );
}

#[test]
fn the_page_loads_nothing_and_runs_nothing() {
    let html = html_string(&browser_run());
    for forbidden in [
        "<script", "<link", "<img", "<iframe", "url(", "@import", "src=",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'")
    );
}

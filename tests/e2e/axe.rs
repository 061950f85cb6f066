//! An accessibility scan of the key pages with axe-core (issue #16), in English and in
//! Japanese: every page a team passes on the way to a first send, with drafts in the
//! states that show their buttons (a draft half-way through review, one ready to release,
//! one released and in its undo window). Any finding of impact "serious" or "critical"
//! fails the test, listed page by page.
//!
//! axe-core is not vendored: `.ci/run` installs it with npm into `target/axe`, and
//! `SENDGATE_AXE_JS` points at another `axe.min.js`. Missing, the test is skipped with a
//! message, or fails when `SENDGATE_E2E_REQUIRED=1`.

use std::path::{Path, PathBuf};

use anyhow::{Context, ensure};

use crate::harness::*;
use crate::ready::{self, Stage};

fn axe_path() -> PathBuf {
    std::env::var_os("SENDGATE_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        })
}

/// axe-core's source, or None (skipped) when it is not installed.
fn axe_source() -> Option<String> {
    let path = axe_path();
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            if std::env::var("SENDGATE_E2E_REQUIRED").as_deref() == Ok("1") {
                panic!(
                    "e2e: SENDGATE_E2E_REQUIRED=1 but axe-core is not at {} ({e}); .ci/run installs it (npm install --no-save axe-core@4 in target/axe)",
                    path.display()
                );
            }
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "e2e: axe scan SKIPPED — axe-core not installed at {} (see README)",
                path.display()
            );
            None
        }
    }
}

/// The serious and critical findings of axe on the page shown now, one line each.
async fn scan(p: &Person, axe: &str) -> anyhow::Result<Vec<String>> {
    p.web
        .execute(
            &format!("{axe}\n;window.axe = window.axe || axe; return true;"),
            vec![],
        )
        .await
        .context("injecting axe-core")?;
    let out = p
        .web
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"] })
              .then((r) => done(r.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.impact} ${v.id}: ${v.help} — ` + v.nodes.slice(0, 6)
                  .map((n) => n.target.join(" ") + (n.failureSummary ? " (" + n.failureSummary.replace(/\s+/g, " ") + ")" : ""))
                  .join("; "))))
              .catch((e) => done(["axe failed: " + e]));"#,
            vec![],
        )
        .await
        .context("running axe")?;
    Ok(out.convert::<Vec<String>>()?)
}

async fn scan_pages(test: &str, lang: &str) {
    if !browser_available() {
        return;
    }
    let Some(axe) = axe_source() else {
        return;
    };
    let app = App::spawn().await;
    let t = ready::team(&app).await;
    let half = ready::draft(
        &app,
        &t,
        "冬のセールのお知らせ",
        "冬のセール開催中！",
        Stage::HalfWay,
    )
    .await;
    let ready_id = ready::draft(
        &app,
        &t,
        "年末のご挨拶",
        "今年もありがとうございました。",
        Stage::Ready,
    )
    .await;
    let released = ready::draft(
        &app,
        &t,
        "新商品のお知らせ",
        "新商品が入荷しました。",
        Stage::Ready,
    )
    .await;
    let release = ready::release(&app, &t, released).await;
    let shots = screenshot_dir(test);
    let driver = Driver::start().await.expect("chromedriver starts");
    let p = Person::open_in(&driver, "all", &shots, (1280, 1000), lang)
        .await
        .expect("browser");
    let pages: Vec<(String, String)> = [
        ("dashboard", "/".to_string()),
        ("drafts", "/drafts".into()),
        ("draft", format!("/drafts/{half}")),
        ("editor-new", "/drafts/new".into()),
        ("editor", format!("/drafts/{half}/edit")),
        ("release", format!("/drafts/{ready_id}/release")),
        ("progress", format!("/releases/{release}")),
        ("testers", "/testers".into()),
        ("segments", "/segments".into()),
        ("friends", "/friends".into()),
        ("scenarios", "/scenarios".into()),
        ("greeting", "/greeting".into()),
        ("incidents", "/incidents".into()),
        ("audit", "/audit".into()),
        ("admin-users", "/admin/users".into()),
        ("policy", "/admin/policy".into()),
        ("sandbox", "/sandbox".into()),
    ]
    .into_iter()
    .map(|(n, path)| (n.to_string(), path))
    .collect();
    let run = async {
        let mut found = Vec::new();
        // Signed out first: the sign-in page.
        p.goto(&app, "/login").await?;
        p.shot("00-login").await?;
        for f in scan(&p, &axe).await? {
            found.push(format!("/login: {f}"));
        }
        p.sign_in(&app, "all").await?;
        for (i, (name, path)) in pages.iter().enumerate() {
            p.goto(&app, path).await?;
            let lang_attr = p.attr("html", "lang").await?;
            ensure!(
                lang_attr.as_deref() == Some(&lang[..2]),
                "{path} is in {lang_attr:?}"
            );
            p.shot(&format!("{:02}-{name}", i + 1)).await?;
            for f in scan(&p, &axe).await? {
                found.push(format!("{path}: {f}"));
            }
        }
        ensure!(
            found.is_empty(),
            "axe found {} serious or critical problems ({lang}):\n{}",
            found.len(),
            found.join("\n")
        );
        Ok(())
    };
    if let Err(e) = run.await {
        fail(&[&p], e).await;
    }
    quit(vec![p]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_pages_have_no_serious_accessibility_findings_in_english() {
    scan_pages("axe_en", "en-US").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_pages_have_no_serious_accessibility_findings_in_japanese() {
    scan_pages("axe_ja", "ja").await;
}

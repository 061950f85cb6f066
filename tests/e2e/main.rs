//! Browser tests: the real app, driven through headless Chromium by chromedriver.
//! Skipped (with a message) when Chromium is not installed, unless
//! `SENDGATE_E2E_REQUIRED=1`. Screenshots land in `target/e2e-screenshots/<test>/`.

mod axe;
mod first_day;
mod flow;
mod harness;
mod keyboard;
mod phone;
mod ready;
mod rich;

//! The `sendgate` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: rows are built on SQLite's connection threads and
/// freed on tokio's, and glibc's per-thread arenas turn that into lock contention (a `perf`
/// profile of the page benchmark showed malloc and its locks as the largest cost after
/// thread wake-ups).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("sendgate=info,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = sendgate::cli::Cli::parse();
    match sendgate::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

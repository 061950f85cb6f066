//! Reading the audit trail: verifying its hash chain (streamed, so a long log does not
//! have to fit in memory) and listing it for the audit page.

use sqlx::SqlitePool;

use crate::db;
use crate::domain::audit::{ChainBreak, ChainVerifier};

#[derive(Debug)]
pub enum Verification {
    Intact { events: u64 },
    Broken(ChainBreak),
}

pub async fn verify(pool: &SqlitePool) -> anyhow::Result<Verification> {
    let head = db::audit::head(pool).await?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0;
    loop {
        let page = db::audit::chain_page(pool, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for event in &page {
            if let Err(b) = verifier.push(event) {
                return Ok(Verification::Broken(b));
            }
        }
    }
    Ok(match verifier.finish(head) {
        Ok(events) => Verification::Intact { events },
        Err(b) => Verification::Broken(b),
    })
}

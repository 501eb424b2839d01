//! Images a `pending` fault rule keeps pending become available once the
//! simulated clock reaches their time (see [`crate::faults`]). The call
//! layer settles them before each account's call, the clock's own moves
//! (`AdvanceClock`, `WaitImageAvailable`) right after they move it.

use crate::dates;
use crate::error::Result;
use crate::model::{FaultRule, Image, ImageState};
use crate::store::{Filter, Tx};

/// Makes available every image whose pending time is `now` or before, and
/// forgets it; answers whether anything changed.
pub fn settle(tx: &mut Tx<'_>, rules: &mut [FaultRule], now: i64) -> Result<bool> {
    let mut changed = false;
    for rule in rules.iter_mut() {
        if rule.pending.is_empty() {
            continue;
        }
        let (due, waiting): (Vec<_>, Vec<_>) = rule
            .pending
            .drain(..)
            .partition(|p| dates::parse_time(&p.until).is_none_or(|t| t <= now));
        rule.pending = waiting;
        if due.is_empty() {
            continue;
        }
        for p in due {
            if let Some(mut image) = tx.get::<Image>(&p.image)? {
                if image.state == ImageState::Pending {
                    image.state = ImageState::Available;
                    tx.put(&image)?;
                }
            }
        }
        tx.put(&*rule)?;
        changed = true;
    }
    Ok(changed)
}

/// [`settle`] over every rule the store holds.
pub fn settle_all(tx: &mut Tx<'_>, now: i64) -> Result<bool> {
    let mut rules = tx.list::<FaultRule>(Filter::default())?;
    if rules.iter().all(|r| r.pending.is_empty()) {
        return Ok(false);
    }
    settle(tx, &mut rules, now)
}

/// When `image` becomes available, if a rule keeps it pending.
pub fn pending_until(tx: &Tx<'_>, image: &Image) -> Result<Option<i64>> {
    let key = image.key();
    Ok(tx
        .list::<FaultRule>(Filter::default())?
        .iter()
        .flat_map(|r| r.pending.iter())
        .find(|p| p.image == key)
        .and_then(|p| dates::parse_time(&p.until)))
}

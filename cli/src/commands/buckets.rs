//! `amisim buckets list|delete`: the objects images were stored as in
//! (simulated) S3 buckets, and deleting one out of band.

use std::io::Write;

use amisim_simulator::billing;
use amisim_simulator::{DeleteStoredImage, StoredImage};
use anyhow::anyhow;

use super::changes::{as_owner, by_owner, done, Change};
use super::{filter, nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let (mut objects, prices) = cloud.read(|tx| {
        Ok((
            tx.list::<StoredImage>(filter(scope))?,
            billing::price_book(tx)?,
        ))
    })?;
    objects.sort_by(|a, b| (&a.bucket, &a.object_key).cmp(&(&b.bucket, &b.object_key)));
    if ctx.json {
        table::print_json(out, &objects)?;
        return Ok(());
    }
    if objects.is_empty() {
        nothing(out, "images stored in S3 buckets", scope, "")?;
        return Ok(());
    }
    let mut t = table::new(&[
        "BUCKET",
        "KEY",
        "REGION",
        "OWNER",
        "IMAGE",
        "NAME",
        "SIZE GB",
        "STORED",
        "S3 PER MONTH",
    ]);
    for o in &objects {
        t.add_row(vec![
            o.bucket.clone(),
            o.object_key.clone(),
            o.region.clone(),
            table::owner(&o.account_id),
            o.image_id.clone(),
            o.name.clone(),
            o.size_gb.to_string(),
            o.task_start_time.clone(),
            // Each object at the first tier's rate; the bill tiers an
            // account's S3 storage per region.
            table::usd(prices.s3_month_micros(o.size_gb)),
        ]);
    }
    table::right_align(&mut t, &[6, 8]);
    table::print(out, &t)?;
    Ok(())
}

pub fn delete(ctx: &Ctx<'_>, out: &mut dyn Write, bucket: &str, key: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let object = cloud
        .read(|tx| tx.get::<StoredImage>(&format!("{bucket}/{key}")))?
        .ok_or_else(|| anyhow!("no object {key} in bucket {bucket} in the store"))?;
    let caller = as_owner(&object.account_id, &object.region);
    let changed = cloud.call(
        &caller,
        &DeleteStoredImage {
            bucket: object.bucket.clone(),
            object_key: object.object_key.clone(),
        },
    )?;
    let change = Change::new("DeleteStoredImage", &object.id, &caller, changed);
    let text = format!(
        "Deleted {} from bucket {} {}; it is no longer billed",
        object.object_key,
        object.bucket,
        by_owner(&caller)
    );
    done(ctx, out, &change, text)
}

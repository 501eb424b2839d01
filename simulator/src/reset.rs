//! Starting a shared cloud over without its store file: the administrator's
//! `ResetCloud`, which a server answers where `amisim reset` cannot delete a
//! file.

use serde::{Deserialize, Serialize};

use crate::call::{Call, Ctx, Role};
use crate::error::Result;
use crate::model::{AdministratorKey, Claim};
use crate::store::{Entity, Tx};

/// ResetCloud: every image, instance, key, permission, setting, charge and
/// event goes, and the public catalogue is there again, as in a new store,
/// with IDs numbered again from the start; the clock goes on from where it
/// was, so that no time in the log ever goes back. The claims and the
/// administrator's key stay: they are who may use the cloud, not what is in
/// it. The administrator's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetCloud {}

impl Call for ResetCloud {
    type Output = ();
    const ACTIONS: &'static [&'static str] = &["ResetCloud"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ResetCloud"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<()> {
        tx.empty_but(&[AdministratorKey::KIND, Claim::KIND])?;
        crate::images::seed_catalogue(tx)
    }
}

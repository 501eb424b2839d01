//! The console's pages: one template each, checked when the binary is built.
//! Every value is escaped by the templates; nothing is marked safe.

use askama::Template;

use super::view::{
    BillView, EventFilter, EventLog, ImagePage, ImageRow, InstanceRow, KeyRow, ObjectPage,
    OrganizationView, Overview, StorageRow,
};

/// What every page shows around its content.
pub struct Frame {
    pub title: String,
    /// The store, as pages name it.
    pub store: String,
    /// The simulated time now.
    pub now: String,
    /// What `/version` answered when the page was drawn.
    pub version: String,
    /// The navigation entry of this page.
    pub section: &'static str,
    /// Where the console's pages are ([`super::view::links::base`]).
    pub base: &'static str,
}

impl Frame {
    pub fn titled(mut self, title: &str, section: &'static str) -> Frame {
        self.title = title.to_string();
        self.section = section;
        self
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub frame: Frame,
    pub o: Overview,
}

#[derive(Template)]
#[template(path = "images.html")]
pub struct ImagesPage {
    pub frame: Frame,
    pub rows: Vec<ImageRow>,
    pub all: bool,
    /// The same scope with deregistered images, and without.
    pub with_all: String,
    pub without_all: String,
}

#[derive(Template)]
#[template(path = "image.html")]
pub struct ImagePageT {
    pub frame: Frame,
    pub p: ImagePage,
}

#[derive(Template)]
#[template(path = "instances.html")]
pub struct InstancesPage {
    pub frame: Frame,
    pub rows: Vec<InstanceRow>,
}

#[derive(Template)]
#[template(path = "storage.html")]
pub struct StoragePage {
    pub frame: Frame,
    pub rows: Vec<StorageRow>,
}

#[derive(Template)]
#[template(path = "keys.html")]
pub struct KeysPage {
    pub frame: Frame,
    pub rows: Vec<KeyRow>,
}

#[derive(Template)]
#[template(path = "organizations.html")]
pub struct OrganizationsPage {
    pub frame: Frame,
    pub organizations: Vec<OrganizationView>,
    /// What the page says when no organization is in scope.
    pub empty: String,
}

#[derive(Template)]
#[template(path = "object.html")]
pub struct ObjectPageT {
    pub frame: Frame,
    pub p: ObjectPage,
}

#[derive(Template)]
#[template(path = "bill.html")]
pub struct BillPage {
    pub frame: Frame,
    pub bills: Vec<BillView>,
}

/// The event log's filters as the form shows them again.
pub struct Filled {
    pub account: String,
    pub region: String,
    pub action: String,
    pub outcome: String,
}

impl Filled {
    pub fn of(f: &EventFilter) -> Filled {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Filled {
            account: text(&f.account),
            region: text(&f.region),
            action: text(&f.action),
            outcome: text(&f.outcome),
        }
    }
}

#[derive(Template)]
#[template(path = "events.html")]
pub struct EventsPage {
    pub frame: Frame,
    pub log: EventLog,
    pub shown: usize,
    pub f: Filled,
}

#[derive(Template)]
#[template(path = "trouble.html")]
pub struct Trouble {
    pub frame: Frame,
    pub code: String,
    pub message: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "not_found.html")]
pub struct NotFound {
    pub frame: Frame,
    pub what: String,
}

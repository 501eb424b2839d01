//! Pages of a listing, as every protocol amisim serves pages them: a page
//! starts where the token of the one before it says (`amisim-N`), and its
//! own token names where the next starts. Each protocol reads its own
//! parameter names and words its own refusals.

/// Which part of a listing to answer: where it starts, and at most how
/// many items (all the rest without a limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    /// The index of the page's first item.
    pub start: usize,
    /// At most this many items.
    pub max: Option<usize>,
}

impl Page {
    /// The page a request asks for: it starts at the first item without a
    /// token, else where the token a previous page gave says (`amisim-N`);
    /// `None` for a token this server never gave.
    pub fn asked(token: Option<&str>, max: Option<usize>) -> Option<Page> {
        let start = match token {
            None => 0,
            Some(t) => t.strip_prefix("amisim-").and_then(|n| n.parse().ok())?,
        };
        Some(Page { start, max })
    }

    /// The page's items, and the token of the next page when items are left.
    pub fn cut<'a, T>(&self, items: &'a [T]) -> (&'a [T], Option<String>) {
        let end = self.max.map_or(items.len(), |m| {
            self.start.saturating_add(m).min(items.len())
        });
        let start = self.start.min(end);
        let next = (end < items.len()).then(|| format!("amisim-{end}"));
        (&items[start..end], next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_a_listing_once_and_tokens_are_this_servers_own() {
        let items: Vec<u32> = (0..7).collect();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let asked = Page::asked(token.as_deref(), Some(3)).expect("a token this server gave");
            let (page, next) = asked.cut(&items);
            seen.extend_from_slice(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
        let all = Page::asked(None, None).unwrap();
        assert_eq!(all.cut(&items), (&items[..], None));
        assert_eq!(Page::asked(Some("other-3"), None), None);
        assert_eq!(Page::asked(Some("amisim-x"), None), None);
        let past = Page::asked(Some("amisim-99"), Some(3)).unwrap();
        assert!(past.cut(&items).0.is_empty());
    }
}

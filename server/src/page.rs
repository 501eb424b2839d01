//! Pages of a listing, as every protocol amisim serves pages them: a page
//! starts where the token of the one before it says (`amisim-N`), and its
//! own token names where the next starts. Each protocol reads its own
//! parameter names and words its own refusals.

/// Where a page starts: at the first item without a token, else where the
/// token a previous page gave says; `None` for a token this server never gave.
pub(crate) fn start_of(token: Option<&str>) -> Option<usize> {
    match token {
        None => Some(0),
        Some(t) => t.strip_prefix("amisim-").and_then(|n| n.parse().ok()),
    }
}

/// The page of `items` from `start`, at most `max` long (all the rest
/// without one), and the token of the next page when items are left.
pub(crate) fn cut<T>(items: &[T], start: usize, max: Option<usize>) -> (&[T], Option<String>) {
    let end = max.map_or(items.len(), |m| start.saturating_add(m).min(items.len()));
    let start = start.min(end);
    let next = (end < items.len()).then(|| format!("amisim-{end}"));
    (&items[start..end], next)
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
            let start = start_of(token.as_deref()).expect("a token this server gave");
            let (page, next) = cut(&items, start, Some(3));
            seen.extend_from_slice(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, items);
        assert_eq!(cut(&items, 0, None), (&items[..], None));
        assert_eq!(start_of(Some("other-3")), None);
        assert_eq!(start_of(Some("amisim-x")), None);
        assert!(cut(&items, 99, Some(3)).0.is_empty());
    }
}

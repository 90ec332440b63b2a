//! Line coverage from the Cobertura XML a group writes to its `coverage` path
//! (coverage.py's `coverage xml`, cargo-llvm-cov `--cobertura`, jest, gcovr).
//!
//! Reads the root `<coverage line-rate="...">` and nothing else; what the
//! number is worth is `policy::verdict`'s business.

use std::path::Path;
use std::time::SystemTime;

use quick_xml::events::Event;
use quick_xml::Reader;

/// The `line-rate` of the Cobertura file at `path`, as a fraction.
///
/// `None` when the file is missing, unreadable, malformed or older than
/// `not_before`: a coverage file left by an earlier run must not be taken
/// for this run's.
pub(crate) fn read_line_rate(path: &Path, not_before: Option<SystemTime>) -> Option<f64> {
    let meta = std::fs::metadata(path).ok()?;
    if let (Some(limit), Ok(modified)) = (not_before, meta.modified()) {
        if modified < limit {
            return None;
        }
    }
    let bytes = std::fs::read(path).ok()?;
    parse_line_rate(&bytes)
}

/// The root element's `line-rate`, clamped into 0..=1.
pub(crate) fn parse_line_rate(xml: &[u8]) -> Option<f64> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => {
                if e.local_name().as_ref() != b"coverage" {
                    // Cobertura's root is <coverage>; anything else is another format.
                    return None;
                }
                let attr = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"line-rate")?;
                let text = std::str::from_utf8(&attr.value).ok()?;
                let rate: f64 = text.trim().parse().ok()?;
                return rate.is_finite().then(|| rate.clamp(0.0, 1.0));
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The mean of the rates given, `None` when there are none.
pub(crate) fn mean(rates: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = rates.fold((0.0, 0_usize), |(sum, n), r| (sum + r, n + 1));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_root_line_rate() {
        let xml = br#"<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage version="7.4" timestamp="1" lines-valid="200" lines-covered="150" line-rate="0.75" branch-rate="0">
  <packages/>
</coverage>"#;
        assert_eq!(parse_line_rate(xml), Some(0.75));
    }

    #[test]
    fn another_format_or_garbage_is_none() {
        assert_eq!(parse_line_rate(b"<testsuites/>"), None);
        assert_eq!(parse_line_rate(b"not xml at all <"), None);
        assert_eq!(parse_line_rate(b"<coverage line-rate=\"NaN\"/>"), None);
        assert_eq!(parse_line_rate(b"<coverage/>"), None);
    }

    #[test]
    fn a_stale_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coverage.xml");
        std::fs::write(&path, "<coverage line-rate=\"0.5\"/>").unwrap();
        assert_eq!(read_line_rate(&path, None), Some(0.5));
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert_eq!(read_line_rate(&path, Some(later)), None);
    }

    #[test]
    fn mean_of_nothing_is_none() {
        assert_eq!(mean(std::iter::empty()), None);
        assert_eq!(mean([0.5, 1.0].into_iter()), Some(0.75));
    }
}

//! Epoch-millisecond timestamps as ISO-8601 UTC text, without a date library.

/// Formats epoch milliseconds (UTC, may be negative or fractional) as
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`. Non-finite or absurd values are shown as numbers.
pub fn format_epoch_ms(ms: f64) -> String {
    // ±10^16 ms is about ±300,000 years: beyond that a date is noise.
    if !ms.is_finite() || ms.abs() > 1.0e16 {
        return crate::value::format_float(ms);
    }
    let total_ms = ms.floor() as i64;
    let days = total_ms.div_euclid(86_400_000);
    let in_day = total_ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::format_epoch_ms;

    #[test]
    fn known_instants() {
        assert_eq!(format_epoch_ms(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_epoch_ms(-1000.0), "1969-12-31T23:59:59.000Z");
        assert_eq!(
            format_epoch_ms(1_709_164_800_000.0),
            "2024-02-29T00:00:00.000Z"
        );
        assert_eq!(
            format_epoch_ms(-2_208_988_800_000.0),
            "1900-01-01T00:00:00.000Z"
        );
        assert_eq!(
            format_epoch_ms(1_709_294_400_123.456_8),
            "2024-03-01T12:00:00.123Z"
        );
        assert_eq!(format_epoch_ms(f64::NAN), "NaN");
    }
}

//! Timestamps: stored in UTC with microseconds, rendered at each profile's precision.

use scimock_profile::Precision;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2021-02-16T15:05:41.185473Z`-style text at `precision`.
pub fn format(t: OffsetDateTime, precision: Precision) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let Ok(year) = u32::try_from(t.year()) else {
        return format_slow(t, precision);
    };
    if year > 9999 {
        return format_slow(t, precision);
    }
    // Written digit by digit: this runs for every request (the journal) and three times per
    // generated user, and `format!` with padding costs ten times as much.
    let mut s = String::with_capacity(27);
    push_digits(&mut s, year, 4);
    s.push('-');
    push_digits(&mut s, u32::from(u8::from(t.month())), 2);
    s.push('-');
    push_digits(&mut s, u32::from(t.day()), 2);
    s.push('T');
    push_digits(&mut s, u32::from(t.hour()), 2);
    s.push(':');
    push_digits(&mut s, u32::from(t.minute()), 2);
    s.push(':');
    push_digits(&mut s, u32::from(t.second()), 2);
    match precision {
        Precision::Seconds => {}
        Precision::Millis => {
            s.push('.');
            push_digits(&mut s, u32::from(t.millisecond()), 3);
        }
        Precision::Micros => {
            s.push('.');
            push_digits(&mut s, t.microsecond(), 6);
        }
    }
    s.push('Z');
    s
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(s: &mut String, n: u32, width: u32) {
    for i in (0..width).rev() {
        let d = (n / 10u32.pow(i)) % 10;
        s.push(char::from(b'0' + d as u8));
    }
}

/// [`format`] for years outside 0..=9999 (`{:04}` keeps a sign and every digit).
fn format_slow(t: OffsetDateTime, precision: Precision) -> String {
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    match precision {
        Precision::Seconds => format!("{base}Z"),
        Precision::Millis => format!("{base}.{:03}Z", t.millisecond()),
        Precision::Micros => format!("{base}.{:06}Z", t.microsecond()),
    }
}

/// Parses RFC 3339 text.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Re-renders RFC 3339 text at `precision`; text that does not parse is returned unchanged.
pub fn reformat(s: &str, precision: Precision) -> String {
    parse(s).map_or_else(|| s.to_string(), |t| format(t, precision))
}

/// `yyyy-MM-ddTHH:mmZ` in UTC (Atlassian's `X-RateLimit-Reset`).
pub fn minute_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// An HTTP-date (RFC 9110 §5.6.7, IMF-fixdate) for `Retry-After`.
pub fn http_date(t: OffsetDateTime) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[u8::from(t.month()) as usize - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Seconds until a `Retry-After` value: delay-seconds, or an IMF-fixdate HTTP-date
/// (RFC 9110 §10.2.3); a date in the past is 0.
pub fn retry_after_secs(v: &str) -> Option<u64> {
    let v = v.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Some(n);
    }
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let t = time::PrimitiveDateTime::parse(v, &fmt).ok()?.assume_utc();
    Some(u64::try_from((t - now()).whole_seconds()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_each_precision() {
        let t = datetime!(2021-02-16 15:05:41.185473 UTC);
        assert_eq!(format(t, Precision::Seconds), "2021-02-16T15:05:41Z");
        assert_eq!(format(t, Precision::Millis), "2021-02-16T15:05:41.185Z");
        assert_eq!(format(t, Precision::Micros), "2021-02-16T15:05:41.185473Z");
    }

    #[test]
    fn fast_and_slow_formats_agree() {
        let times = [
            datetime!(2021-02-16 15:05:41.185473 UTC),
            datetime!(0001-01-01 00:00:00 UTC),
            datetime!(9999-12-31 23:59:59.999999 UTC),
            datetime!(2024-01-01 00:00:00.000001 +05:30),
            datetime!(-0005-06-07 08:09:10 UTC),
        ];
        for t in times {
            for p in [Precision::Seconds, Precision::Millis, Precision::Micros] {
                assert_eq!(
                    format(t, p),
                    format_slow(t.to_offset(time::UtcOffset::UTC), p),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn reformat_converts_offsets_to_utc() {
        assert_eq!(
            reformat("2024-01-01T02:00:00+02:00", Precision::Millis),
            "2024-01-01T00:00:00.000Z"
        );
        assert_eq!(reformat("not a date", Precision::Millis), "not a date");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after_secs("7"), Some(7));
        assert_eq!(retry_after_secs("Sun, 06 Nov 1994 08:49:37 GMT"), Some(0));
        let soon = http_date(now() + time::Duration::seconds(30));
        assert!((28..=30).contains(&retry_after_secs(&soon).unwrap()));
        assert_eq!(retry_after_secs("soon"), None);
    }

    #[test]
    fn http_date_is_imf_fixdate() {
        let t = datetime!(1994-11-06 08:49:37 UTC);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}

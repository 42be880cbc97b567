//! Class colours: one fixed, distinguishable colour per class id, everywhere.

const PALETTE: [&str; 16] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#fabed4", "#469990", "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#ffd8b1",
];

/// CSS colour of class `id` (ids wrap around the palette).
pub fn class_colour(id: i64) -> &'static str {
    PALETTE[id.rem_euclid(PALETTE.len() as i64) as usize]
}

/// Colours of compared versions: v0 blue, v1 yellow, then green, purple, red.
const VERSIONS: [&str; 5] = ["#3b82f6", "#eab308", "#22c55e", "#a855f7", "#ef4444"];

pub fn version_colour(v: usize) -> &'static str {
    VERSIONS[v % VERSIONS.len()]
}

/// The same colour as RGB bytes, for painting masks.
pub fn class_rgb(id: i64) -> [u8; 3] {
    rgb(class_colour(id))
}

/// A version's colour as RGB bytes, for charts.
pub fn version_rgb(v: usize) -> [u8; 3] {
    rgb(version_colour(v))
}

fn rgb(css: &str) -> [u8; 3] {
    let hex = css.trim_start_matches('#');
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    [byte(0), byte(2), byte(4)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn rgb_matches_css() {
        assert_eq!(super::class_rgb(0), [0xe6, 0x19, 0x4b]);
        assert_eq!(super::class_rgb(16), super::class_rgb(0));
        assert_eq!(super::class_rgb(-1), super::class_rgb(15));
    }
}

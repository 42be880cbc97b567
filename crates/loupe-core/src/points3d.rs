//! 3-D points for the point-cloud and molecule panels: W&B `Object3D` files
//! (`.pts.json`: `[[x,y,z]…]`, `[[x,y,z,c]…]`, `[[x,y,z,r,g,b]…]`, or
//! `{"type": "lidar/beta", "points": …, "boxes": […]}`) and the atoms of a PDB file.

use crate::error::FormatError;
use crate::json::{self, Json};

#[derive(Debug, Clone, PartialEq)]
pub struct Point3 {
    pub xyz: [f64; 3],
    /// RGB 0..255 when the file gives it; `category` otherwise (1..14), or neither.
    pub rgb: Option<[u8; 3]>,
    pub category: Option<i64>,
}

/// A 3-D box: its 8 corners, colour and label (lidar scenes).
#[derive(Debug, Clone, PartialEq)]
pub struct Box3 {
    pub corners: Vec<[f64; 3]>,
    pub rgb: Option<[u8; 3]>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PointCloud {
    pub points: Vec<Point3>,
    pub boxes: Vec<Box3>,
}

fn triple(j: &Json) -> Option<[f64; 3]> {
    let a = j.as_array()?;
    Some([
        a.first()?.as_f64()?,
        a.get(1)?.as_f64()?,
        a.get(2)?.as_f64()?,
    ])
}

fn rgb(values: &[Json]) -> Option<[u8; 3]> {
    let c = |i: usize| values.get(i)?.as_f64().map(|x| x.clamp(0.0, 255.0) as u8);
    Some([c(0)?, c(1)?, c(2)?])
}

fn points(list: &[Json]) -> Vec<Point3> {
    list.iter()
        .filter_map(|p| {
            let a = p.as_array()?;
            let xyz = triple(p)?;
            Some(Point3 {
                xyz,
                rgb: (a.len() >= 6).then(|| rgb(&a[3..6])).flatten(),
                category: (a.len() == 4).then(|| a[3].as_i64()).flatten(),
            })
        })
        .collect()
}

/// Parses a `.pts.json` file.
pub fn parse_pts(bytes: &[u8]) -> Result<PointCloud, FormatError> {
    let j = json::parse(bytes)?;
    match &j {
        Json::Array(list) => Ok(PointCloud {
            points: points(list),
            boxes: Vec::new(),
        }),
        Json::Object(_) => {
            let list = j
                .get("points")
                .and_then(Json::as_array)
                .ok_or(FormatError::MissingField("points"))?;
            let boxes = j
                .get("boxes")
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .map(|b| Box3 {
                    corners: b
                        .get("corners")
                        .and_then(Json::as_array)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(triple)
                        .collect(),
                    rgb: b.get("color").and_then(Json::as_array).and_then(rgb),
                    label: b.get("label").and_then(Json::as_str).map(str::to_string),
                })
                .collect();
            Ok(PointCloud {
                points: points(list),
                boxes,
            })
        }
        other => Err(FormatError::BadField {
            field: "(top level)",
            message: format!(
                "is {}; a point cloud is a list of points or a lidar scene",
                other.shape_name()
            ),
        }),
    }
}

/// The atoms of a PDB file (`ATOM`/`HETATM` records, fixed columns), coloured by element.
pub fn parse_pdb(text: &str) -> PointCloud {
    let points = text
        .lines()
        .filter(|l| l.starts_with("ATOM") || l.starts_with("HETATM"))
        .filter_map(|l| {
            let num = |a: usize, b: usize| l.get(a..b)?.trim().parse::<f64>().ok();
            let element = l
                .get(76..78)
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .or_else(|| {
                    l.get(12..16)
                        .map(|n| n.trim().trim_start_matches(char::is_numeric))
                })
                .unwrap_or("");
            Some(Point3 {
                xyz: [num(30, 38)?, num(38, 46)?, num(46, 54)?],
                rgb: Some(element_colour(element)),
                category: None,
            })
        })
        .collect();
    PointCloud {
        points,
        boxes: Vec::new(),
    }
}

/// CPK colours of the common elements.
fn element_colour(element: &str) -> [u8; 3] {
    match element.to_ascii_uppercase().chars().next() {
        Some('H') => [230, 230, 230],
        Some('C') => [80, 80, 80],
        Some('N') => [48, 80, 248],
        Some('O') => [255, 13, 13],
        Some('S') => [255, 200, 50],
        Some('P') => [255, 128, 0],
        _ => [200, 100, 200],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_point_shapes_and_lidar_scenes() {
        let plain = parse_pts(b"[[0, 1, 2], [3.5, 4, 5]]").expect("xyz");
        assert_eq!(plain.points.len(), 2);
        assert_eq!(plain.points[1].xyz, [3.5, 4.0, 5.0]);
        let cat = parse_pts(b"[[0, 1, 2, 7]]").expect("xyzc");
        assert_eq!(cat.points[0].category, Some(7));
        let rgb = parse_pts(b"[[0, 1, 2, 255, 0, 10]]").expect("xyzrgb");
        assert_eq!(rgb.points[0].rgb, Some([255, 0, 10]));
        let lidar = parse_pts(br#"{"type": "lidar/beta", "points": [[1, 1, 1]],
            "boxes": [{"corners": [[0,0,0],[1,0,0],[1,1,0],[0,1,0],[0,0,1],[1,0,1],[1,1,1],[0,1,1]], "color": [0, 255, 0], "label": "cube"}]}"#)
            .expect("lidar");
        assert_eq!(lidar.boxes[0].corners.len(), 8);
        assert_eq!(lidar.boxes[0].label.as_deref(), Some("cube"));
        assert!(parse_pts(b"\"no\"").is_err());
        assert!(parse_pts(b"{\"type\": \"lidar/beta\"}").is_err());
    }

    #[test]
    fn pdb_atoms() {
        let pdb = "HETATM    1  O   HOH A   1       0.000   0.000   0.000  1.00  0.00           O\n\
                   HETATM    2  H1  HOH A   1       0.957   0.000   0.000  1.00  0.00           H\nEND\n";
        let cloud = parse_pdb(pdb);
        assert_eq!(cloud.points.len(), 2);
        assert_eq!(cloud.points[1].xyz, [0.957, 0.0, 0.0]);
        assert_eq!(cloud.points[0].rgb, Some([255, 13, 13]));
    }
}

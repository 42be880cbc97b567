//! The objects an artifact holds, mirroring the SDK's Python classes:
//! `Table`, `Image` (with box layers, masks and `Classes`), `Classes`, the
//! file-backed media (`Audio`, `Html`, `Video`, `Object3D`, `Molecule`),
//! `JoinedTable` and `PartitionedTable`, plus `Cell`, one table value.

use super::types::Ty;
use super::{ArtifactError, png};
use crate::json::Json;
use crate::media::MediaKind;

pub use crate::document::{JoinedTable, PartitionedTable};

/// A class set (`wandb.Classes`): id → name, in the order given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Classes {
    pub entries: Vec<(i64, String)>,
}

impl Classes {
    pub fn new<S: Into<String>>(entries: impl IntoIterator<Item = (i64, S)>) -> Classes {
        Classes {
            entries: entries.into_iter().map(|(i, s)| (i, s.into())).collect(),
        }
    }

    /// Adds (or renames) a class, keeping first-insertion order like a Python dict update.
    fn update(&mut self, id: i64, name: &str) {
        match self.entries.iter_mut().find(|(i, _)| *i == id) {
            Some(entry) => entry.1 = name.to_string(),
            None => self.entries.push((id, name.to_string())),
        }
    }

    /// Python's `str(class_set)`: the SDK names image classes files by its MD5.
    pub(crate) fn python_repr(&self) -> String {
        let items: Vec<String> = self
            .entries
            .iter()
            .map(|(id, name)| {
                format!(
                    "{{'id': {id}, 'name': {}}}",
                    super::pyjson::py_str_repr(name)
                )
            })
            .collect();
        format!("[{}]", items.join(", "))
    }
}

/// Where a file's bytes came from, which decides its name in the artifact
/// (SDK `Media.to_json`): made from data → named by its MD5; copied from a
/// file on disk → `<sha256[:20]>/<basename>`.
#[derive(Debug, Clone)]
pub(crate) enum Naming {
    Data { extension: String },
    Disk { basename: String },
}

/// The artifact file an object was read from: adding the object to another
/// artifact then writes a reference to it instead of copying the bytes (what
/// the SDK does for objects obtained with `artifact.get`).
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// `wandb-artifact://<hex id>/<path>`.
    pub reference: String,
    /// Path inside the origin artifact (also the path in the cell JSON).
    pub path: String,
    /// The origin entry's manifest digest.
    pub digest: String,
}

/// File bytes plus how to name them. Equality is by content: an image added
/// and read back is equal whatever its naming or origin.
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub(crate) bytes: Vec<u8>,
    pub(crate) naming: Naming,
    pub(crate) origin: Option<Origin>,
}

impl PartialEq for Blob {
    fn eq(&self, other: &Blob) -> bool {
        self.bytes == other.bytes
    }
}

impl Blob {
    pub(crate) fn data(bytes: Vec<u8>, extension: &str) -> Blob {
        Blob {
            bytes,
            naming: Naming::Data {
                extension: extension.to_string(),
            },
            origin: None,
        }
    }

    fn disk(path: &std::path::Path) -> Result<Blob, ArtifactError> {
        let bytes = std::fs::read(path).map_err(|source| ArtifactError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let basename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        Ok(Blob {
            bytes,
            naming: Naming::Disk { basename },
            origin: None,
        })
    }
}

/// One layer of bounding boxes: the boxes as the SDK stores them (`position`,
/// `class_id`, optional `box_caption`, `scores`, `domain`) and the layer's class names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoxLayer {
    pub boxes: Vec<Json>,
    pub class_labels: Vec<(i64, String)>,
}

impl BoxLayer {
    pub fn new<S: Into<String>>(
        boxes: Vec<Json>,
        class_labels: impl IntoIterator<Item = (i64, S)>,
    ) -> BoxLayer {
        BoxLayer {
            boxes: boxes.into_iter().map(sorted_json).collect(),
            class_labels: class_labels
                .into_iter()
                .map(|(i, s)| (i, s.into()))
                .collect(),
        }
    }

    /// A box in fractions of the image (`minX`..`maxY` in 0..1).
    pub fn fractional_box(
        (min_x, min_y, max_x, max_y): (f64, f64, f64, f64),
        class_id: i64,
        caption: Option<&str>,
        scores: &[(&str, f64)],
    ) -> Json {
        use crate::json::Number::{Float, Int};
        let mut fields = vec![
            ("class_id".to_string(), Json::Number(Int(class_id))),
            (
                "position".to_string(),
                Json::Object(vec![
                    ("maxX".into(), Json::Number(Float(max_x))),
                    ("maxY".into(), Json::Number(Float(max_y))),
                    ("minX".into(), Json::Number(Float(min_x))),
                    ("minY".into(), Json::Number(Float(min_y))),
                ]),
            ),
        ];
        if let Some(c) = caption {
            fields.push(("box_caption".into(), Json::String(c.into())));
        }
        if !scores.is_empty() {
            let scores = scores
                .iter()
                .map(|(k, v)| (k.to_string(), Json::Number(Float(*v))))
                .collect();
            fields.push(("scores".into(), Json::Object(scores)));
        }
        Json::Object(fields)
    }

    pub(crate) fn score_keys(&self) -> Vec<String> {
        self.boxes
            .iter()
            .filter_map(|b| b.get("scores").and_then(Json::as_object))
            .flat_map(|s| s.iter().map(|(k, _)| k.clone()))
            .collect()
    }
}

/// A segmentation mask layer: an 8-bit grayscale PNG whose pixel values are class ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Mask {
    pub(crate) file: Blob,
    pub class_labels: Vec<(i64, String)>,
}

impl Mask {
    /// From class-id pixels (`mask_data`), written as `media/images/mask/<md5>.mask.png`.
    pub fn from_pixels<S: Into<String>>(
        width: u32,
        height: u32,
        class_ids: &[u8],
        class_labels: impl IntoIterator<Item = (i64, S)>,
    ) -> Result<Mask, ArtifactError> {
        let bytes = png::encode(width, height, png::PixelFormat::Gray, class_ids)?;
        Ok(Mask {
            file: Blob::data(bytes, "mask.png"),
            class_labels: class_labels
                .into_iter()
                .map(|(i, s)| (i, s.into()))
                .collect(),
        })
    }

    /// From a PNG file (`{"path": ...}`): copied as is, no class labels (as in the SDK).
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Mask, ArtifactError> {
        Ok(Mask {
            file: Blob::disk(path.as_ref())?,
            class_labels: Vec::new(),
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.file.bytes
    }
}

/// `wandb.Image`.
#[derive(Debug, Clone)]
pub struct Image {
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub caption: Option<String>,
    pub grouping: Option<i64>,
    pub boxes: Vec<(String, BoxLayer)>,
    pub masks: Vec<(String, Mask)>,
    /// The `classes=` argument; box and mask labels are merged into it when written.
    pub classes: Option<Classes>,
    pub(crate) file: Blob,
}

impl Image {
    /// From 8-bit pixels (row-major, `format` channels per pixel), as `wandb.Image(ndarray)`.
    pub fn from_pixels(
        width: u32,
        height: u32,
        format: png::PixelFormat,
        pixels: &[u8],
    ) -> Result<Image, ArtifactError> {
        let bytes = png::encode(width, height, format, pixels)?;
        Ok(Image::with_file(
            Blob::data(bytes, "png"),
            "png",
            width,
            height,
        ))
    }

    /// From a PNG file on disk, copied byte for byte (`wandb.Image("x.png")`).
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Image, ArtifactError> {
        let path = path.as_ref();
        let file = Blob::disk(path)?;
        let (width, height) =
            png::dimensions(&file.bytes).ok_or_else(|| ArtifactError::NotPng {
                path: path.display().to_string(),
            })?;
        Ok(Image::with_file(file, "png", width, height))
    }

    pub(crate) fn with_file(file: Blob, format: &str, width: u32, height: u32) -> Image {
        Image {
            format: format.to_string(),
            width,
            height,
            caption: None,
            grouping: None,
            boxes: Vec::new(),
            masks: Vec::new(),
            classes: None,
            file,
        }
    }

    pub fn with_caption(mut self, caption: impl Into<String>) -> Image {
        self.caption = Some(caption.into());
        self
    }

    pub fn with_boxes(mut self, layer: impl Into<String>, boxes: BoxLayer) -> Image {
        self.boxes.push((layer.into(), boxes));
        self
    }

    pub fn with_mask(mut self, layer: impl Into<String>, mask: Mask) -> Image {
        self.masks.push((layer.into(), mask));
        self
    }

    pub fn with_grouping(mut self, grouping: i64) -> Image {
        self.grouping = Some(grouping);
        self
    }

    pub fn with_classes(mut self, classes: Classes) -> Image {
        self.classes = Some(classes);
        self
    }

    /// The encoded file bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.file.bytes
    }

    /// Where this image was read from, when it came out of an artifact.
    pub fn origin(&self) -> Option<&Origin> {
        self.file.origin.as_ref()
    }

    /// The class set the SDK writes for the image: every box layer's labels,
    /// then every mask's, then `classes=` (a Python dict update, in that order).
    pub fn all_classes(&self) -> Classes {
        let mut all = Classes::default();
        let labels = self
            .boxes
            .iter()
            .flat_map(|(_, l)| &l.class_labels)
            .chain(self.masks.iter().flat_map(|(_, m)| &m.class_labels))
            .chain(self.classes.iter().flat_map(|c| &c.entries));
        for (id, name) in labels {
            all.update(*id, name);
        }
        all
    }
}

/// Equal when the files hold the same: `classes=` compares as the merged set
/// the SDK writes (that is all a reader can recover).
impl PartialEq for Image {
    fn eq(&self, other: &Image) -> bool {
        self.format == other.format
            && (self.width, self.height) == (other.width, other.height)
            && self.caption == other.caption
            && self.grouping.filter(|g| *g != 0) == other.grouping.filter(|g| *g != 0)
            && self.boxes == other.boxes
            && self.masks == other.masks
            && self.all_classes() == other.all_classes()
            && self.file == other.file
    }
}

/// A file-backed media value other than an image.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaFile {
    pub kind: MediaKind,
    pub caption: Option<String>,
    pub(crate) file: Blob,
}

impl MediaFile {
    /// From bytes made in memory (e.g. an encoded wav), named by content.
    pub fn from_bytes(kind: MediaKind, bytes: Vec<u8>, extension: &str) -> MediaFile {
        MediaFile {
            kind,
            caption: None,
            file: Blob::data(bytes, extension),
        }
    }

    /// From a file on disk, copied byte for byte.
    pub fn from_file(
        kind: MediaKind,
        path: impl AsRef<std::path::Path>,
    ) -> Result<MediaFile, ArtifactError> {
        Ok(MediaFile {
            kind,
            caption: None,
            file: Blob::disk(path.as_ref())?,
        })
    }

    pub fn with_caption(mut self, caption: impl Into<String>) -> MediaFile {
        self.caption = Some(caption.into());
        self
    }

    pub fn bytes(&self) -> &[u8] {
        &self.file.bytes
    }

    pub(crate) fn subdir(kind: MediaKind) -> &'static str {
        match kind {
            MediaKind::Audio => "media/audio",
            MediaKind::Html => "media/html",
            MediaKind::Video => "media/videos",
            MediaKind::Object3D => "media/object3D",
            MediaKind::Molecule => "media/molecule",
        }
    }
}

/// One table value, typed as the SDK types Python values.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond i64, as decimal text (Python ints are unbounded).
    BigInt(String),
    /// NaN is written as `null` and typed `none`, as the SDK does.
    Float(f64),
    Str(String),
    /// Epoch milliseconds (`datetime` in Python).
    Timestamp(i64),
    List(Vec<Cell>),
    Dict(Vec<(String, Cell)>),
    Image(Box<Image>),
    Media(Box<MediaFile>),
    Table(Box<Table>),
    /// Any other W&B value kept as its JSON (e.g. `histogram`).
    Other(Json),
}

impl Cell {
    fn with_sorted_keys(self) -> Cell {
        match self {
            Cell::Dict(mut fields) => {
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Cell::Dict(
                    fields
                        .into_iter()
                        .map(|(k, v)| (k, v.with_sorted_keys()))
                        .collect(),
                )
            }
            Cell::List(items) => {
                Cell::List(items.into_iter().map(Cell::with_sorted_keys).collect())
            }
            other => other,
        }
    }
}

/// Sorts object keys at every depth, the order the SDK writes them in.
fn sorted_json(json: Json) -> Json {
    match json {
        Json::Object(mut fields) => {
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, sorted_json(v)))
                    .collect(),
            )
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sorted_json).collect()),
        other => other,
    }
}

macro_rules! cell_from {
    ($($t:ty => $body:expr),* $(,)?) => {
        $(impl From<$t> for Cell {
            fn from(v: $t) -> Cell {
                #[allow(clippy::redundant_closure_call)]
                ($body)(v)
            }
        })*
    };
}

cell_from! {
    bool => Cell::Bool,
    i64 => Cell::Int,
    i32 => |v: i32| Cell::Int(i64::from(v)),
    u32 => |v: u32| Cell::Int(i64::from(v)),
    f64 => Cell::Float,
    f32 => |v: f32| Cell::Float(f64::from(v)),
    &str => |v: &str| Cell::Str(v.to_string()),
    String => Cell::Str,
    Image => |v| Cell::Image(Box::new(v)),
    MediaFile => |v| Cell::Media(Box::new(v)),
    Table => |v| Cell::Table(Box::new(v)),
    Vec<Cell> => Cell::List,
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Null, Into::into)
    }
}

/// A column name: strings, or ints (`columns=[0, 1, 2]`); never mixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnName {
    Str(String),
    Int(i64),
}

impl std::fmt::Display for ColumnName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnName::Str(s) => f.write_str(s),
            ColumnName::Int(i) => write!(f, "{i}"),
        }
    }
}

impl From<&str> for ColumnName {
    fn from(s: &str) -> ColumnName {
        ColumnName::Str(s.to_string())
    }
}

impl From<String> for ColumnName {
    fn from(s: String) -> ColumnName {
        ColumnName::Str(s)
    }
}

impl From<i64> for ColumnName {
    fn from(i: i64) -> ColumnName {
        ColumnName::Int(i)
    }
}

/// Column types: inferred row by row as the SDK does, or kept verbatim from a
/// file (rewriting an SDK table then reproduces its bytes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnTypes {
    Inferred(Vec<Ty>),
    Stored(Json),
}

/// `wandb.Table`. Equality is by columns and rows (types follow from them).
#[derive(Debug, Clone)]
pub struct Table {
    columns: Vec<ColumnName>,
    rows: Vec<Vec<Cell>>,
    pub(crate) types: ColumnTypes,
}

impl PartialEq for Table {
    fn eq(&self, other: &Table) -> bool {
        self.columns == other.columns && self.rows == other.rows
    }
}

impl Table {
    /// An empty table with these columns (`wandb.Table(columns=[...])`).
    pub fn new<C: Into<ColumnName>>(columns: impl IntoIterator<Item = C>) -> Table {
        let columns: Vec<ColumnName> = columns.into_iter().map(Into::into).collect();
        let types = ColumnTypes::Inferred(vec![Ty::optional_unknown(); columns.len()]);
        Table {
            columns,
            rows: Vec::new(),
            types,
        }
    }

    /// `wandb.Table(columns=..., data=rows)`.
    pub fn from_rows<C: Into<ColumnName>>(
        columns: impl IntoIterator<Item = C>,
        rows: impl IntoIterator<Item = Vec<Cell>>,
    ) -> Result<Table, ArtifactError> {
        let mut table = Table::new(columns);
        for row in rows {
            table.add_data(row)?;
        }
        Ok(table)
    }

    /// `table.add_data(*row)`: checks the row's length and that each value
    /// fits its column's type (narrowing it), as the SDK does.
    pub fn add_data(&mut self, row: Vec<Cell>) -> Result<(), ArtifactError> {
        if row.len() != self.columns.len() {
            return Err(ArtifactError::RowLength {
                expected: self.columns.len(),
                found: row.len(),
            });
        }
        let mut types = self.inferred_column_types();
        for (i, (t, cell)) in types.iter_mut().zip(&row).enumerate() {
            *t = t
                .assign(cell)
                .ok_or_else(|| ArtifactError::IncompatibleValue {
                    row: self.rows.len(),
                    column: self.columns[i].to_string(),
                    expected: t.repr(),
                    found: Ty::of(cell).repr(),
                })?;
        }
        self.types = ColumnTypes::Inferred(types);
        // Dict keys are written sorted (and Python compares dicts unordered):
        // keep them sorted so what is added compares equal to what is read.
        self.rows
            .push(row.into_iter().map(Cell::with_sorted_keys).collect());
        Ok(())
    }

    pub fn columns(&self) -> &[ColumnName] {
        &self.columns
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// One column's values, by name.
    pub fn column(&self, name: &str) -> Option<Vec<&Cell>> {
        let i = self.columns.iter().position(|c| c.to_string() == name)?;
        Some(self.rows.iter().map(|r| &r[i]).collect())
    }

    /// The per-column types, re-inferred from the rows when they came from a file.
    fn inferred_column_types(&self) -> Vec<Ty> {
        match &self.types {
            ColumnTypes::Inferred(types) => types.clone(),
            ColumnTypes::Stored(_) => {
                let mut types = vec![Ty::optional_unknown(); self.columns.len()];
                for row in &self.rows {
                    for (t, cell) in types.iter_mut().zip(row) {
                        // A stored table the SDK itself could not re-type (its
                        // files can disagree with their types) keeps the widest type.
                        *t = t.assign(cell).unwrap_or(Ty::Unknown);
                    }
                }
                types
            }
        }
    }

    /// `typedDict` of column name → type, as nested table types need it.
    pub(crate) fn inferred_types(&self) -> Ty {
        Ty::Dict(
            self.columns
                .iter()
                .map(|c| c.to_string())
                .zip(self.inferred_column_types())
                .collect(),
        )
    }

    pub(crate) fn from_parts(columns: Vec<ColumnName>, rows: Vec<Vec<Cell>>, types: Json) -> Table {
        Table {
            columns,
            rows,
            types: ColumnTypes::Stored(types),
        }
    }
}

//! A view of a table: derived columns, filter, sort, group — and its URL form.
//!
//! URL encoding (each value is URL-encoded by the browser):
//! - `filter=<expr>`
//! - `sort=<expr> [asc|desc], <expr> [asc|desc], …` (commas inside calls, lists
//!   and strings do not split keys)
//! - `group=<expr>, …`
//! - `derive=<name>=<expr>`, repeatable, in order (later ones may use earlier ones)
//! - `hide=<column>`, repeatable

use crate::column::ColumnData;
use crate::expr::{ExprError, Frame, MaskSource, Schema, compile, eval, eval_row, filter_rows};
use crate::ops::{Grouping, group_rows, materialize, sort_rows};
use crate::table::{Column, Table};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub expr: String,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub name: String,
    pub expr: String,
}

/// Everything that shapes a view, as text (what the URL holds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub filter: Option<String>,
    pub sort: Vec<SortKey>,
    pub group: Vec<String>,
    pub derived: Vec<Derived>,
    pub hidden: Vec<String>,
    /// Columns of the confusion-matrix panel: (truth, guess).
    pub confusion: Option<(String, String)>,
    /// Cell panels chosen per column: (column, panel name) (`panel=<panel>:<column>`).
    pub panels: Vec<(String, String)>,
    /// A whole-table panel over the view (`chart=scatter`, `histogram`, …) and its
    /// arguments (`x=`, `y=`, `color=`, `by=`, `of=`: expressions or column names).
    pub chart: Option<String>,
    pub chart_args: Vec<(String, String)>,
}

/// The parameters a whole-table panel takes.
pub const CHART_ARGS: [&str; 5] = ["x", "y", "color", "by", "of"];

/// Which part of a query an error is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryPart {
    Filter,
    Sort(usize),
    Group(usize),
    Derived(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}\n{}", part_name(.part), .error.message, .error.caret(.text))]
pub struct QueryError {
    pub part: QueryPart,
    pub text: String,
    pub error: ExprError,
}

fn part_name(p: &QueryPart) -> String {
    match p {
        QueryPart::Filter => "filter".into(),
        QueryPart::Sort(i) => format!("sort key {}", i + 1),
        QueryPart::Group(i) => format!("group key {}", i + 1),
        QueryPart::Derived(name) => format!("column `{name}`"),
    }
}

/// Splits at commas that are not inside (), [] or quotes.
pub fn split_top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut current) = (0i32, None::<char>, String::new());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
                continue;
            }
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, ',') if depth <= 0 => {
                parts.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    let last = current.trim().to_string();
    if !last.is_empty() || !parts.is_empty() {
        parts.push(last);
    }
    parts.retain(|p| !p.is_empty());
    parts
}

impl SortKey {
    /// `loss desc`, `score`, `len(caption) asc`.
    pub fn parse(text: &str) -> SortKey {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        for (suffix, descending) in [(" desc", true), (" asc", false)] {
            if lower.ends_with(suffix) {
                return SortKey {
                    expr: t[..t.len() - suffix.len()].trim().to_string(),
                    descending,
                };
            }
        }
        SortKey {
            expr: t.to_string(),
            descending: false,
        }
    }

    pub fn to_text(&self) -> String {
        format!(
            "{} {}",
            self.expr,
            if self.descending { "desc" } else { "asc" }
        )
    }
}

impl Query {
    /// Builds a query from URL parameters (name, value) in order.
    pub fn from_params<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Query {
        let mut q = Query::default();
        for (k, v) in params {
            match k {
                "filter" if !v.trim().is_empty() => q.filter = Some(v.trim().to_string()),
                "sort" => q
                    .sort
                    .extend(split_top_level(v).iter().map(|s| SortKey::parse(s))),
                "group" => q.group.extend(split_top_level(v)),
                "derive" => {
                    if let Some((name, expr)) = v.split_once('=') {
                        q.derived.push(Derived {
                            name: name.trim().to_string(),
                            expr: expr.trim().to_string(),
                        });
                    }
                }
                "hide" if !v.is_empty() => q.hidden.push(v.to_string()),
                "confusion" => {
                    if let [t, g] = split_top_level(v).as_slice() {
                        q.confusion = Some((t.clone(), g.clone()));
                    }
                }
                "panel" => {
                    if let Some((panel, column)) = v.split_once(':') {
                        q.set_panel(column, panel);
                    }
                }
                "chart" if !v.trim().is_empty() => q.chart = Some(v.trim().to_string()),
                k if CHART_ARGS.contains(&k) && !v.trim().is_empty() => {
                    q.chart_args.push((k.to_string(), v.trim().to_string()));
                }
                _ => {}
            }
        }
        q
    }

    /// The URL parameters of this query (the inverse of `from_params`).
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for d in &self.derived {
            out.push(("derive", format!("{}={}", d.name, d.expr)));
        }
        if let Some(f) = &self.filter {
            out.push(("filter", f.clone()));
        }
        if !self.group.is_empty() {
            out.push(("group", self.group.join(", ")));
        }
        if !self.sort.is_empty() {
            out.push((
                "sort",
                self.sort
                    .iter()
                    .map(SortKey::to_text)
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        for h in &self.hidden {
            out.push(("hide", h.clone()));
        }
        if let Some((t, g)) = &self.confusion {
            out.push(("confusion", format!("{t}, {g}")));
        }
        for (column, panel) in &self.panels {
            out.push(("panel", format!("{panel}:{column}")));
        }
        if let Some(c) = &self.chart {
            out.push(("chart", c.clone()));
            for k in CHART_ARGS {
                if let Some(v) = self.chart_arg(k) {
                    out.push((k, v.to_string()));
                }
            }
        }
        out
    }

    /// The panel chosen for `column`, if any.
    pub fn panel_of(&self, column: &str) -> Option<&str> {
        self.panels
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, p)| p.as_str())
    }

    /// Chooses the panel of `column` (an empty name goes back to the default).
    pub fn set_panel(&mut self, column: &str, panel: &str) {
        self.panels.retain(|(c, _)| c != column);
        if !panel.is_empty() {
            self.panels.push((column.to_string(), panel.to_string()));
        }
    }

    /// A whole-table panel argument (`x`, `y`, `color`, `by`, `of`).
    pub fn chart_arg(&self, name: &str) -> Option<&str> {
        self.chart_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a whole-table panel argument (empty removes it).
    pub fn set_chart_arg(&mut self, name: &str, value: &str) {
        self.chart_args.retain(|(k, _)| k != name);
        if !value.trim().is_empty() {
            self.chart_args
                .push((name.to_string(), value.trim().to_string()));
        }
    }

    /// Narrows the filter: `(<current>) and <clause>`, or just `clause`.
    pub fn and_filter(&mut self, clause: &str) {
        self.filter = Some(match self.filter.take() {
            Some(f) if !f.trim().is_empty() => format!("({f}) and {clause}"),
            _ => clause.to_string(),
        });
    }

    pub fn is_grouped(&self) -> bool {
        !self.group.is_empty()
    }

    /// Only what `run` reads (derived columns, filter, group, sort): hiding a
    /// column or choosing a panel never runs the query again.
    pub fn computation(&self) -> Query {
        Query {
            filter: self.filter.clone(),
            sort: self.sort.clone(),
            group: self.group.clone(),
            derived: self.derived.clone(),
            ..Query::default()
        }
    }

    /// Takes `from`'s computation (filter, sort, group, derived), keeping the rest.
    pub fn set_computation(&mut self, from: &Query) {
        self.filter = from.filter.clone();
        self.sort = from.sort.clone();
        self.group = from.group.clone();
        self.derived = from.derived.clone();
    }

    /// Whether running does more than list every row in order.
    pub fn computes(&self) -> bool {
        self.filter.is_some()
            || !self.sort.is_empty()
            || !self.group.is_empty()
            || !self.derived.is_empty()
    }

    /// The columns of `table` the query reads, as indices, each once, in order
    /// of first use: what a worker needs to run it. `None` if an expression
    /// does not parse or names something that is neither a column nor a
    /// derived column (running it here gives the error with its hints).
    /// A grouped view's sort keys name group keys and `count`, not columns.
    pub fn table_columns_used(&self, table: &Table) -> Option<Vec<usize>> {
        let mut texts: Vec<&str> = self.derived.iter().map(|d| d.expr.as_str()).collect();
        texts.extend(self.filter.as_deref());
        texts.extend(self.group.iter().map(String::as_str));
        if self.group.is_empty() {
            texts.extend(self.sort.iter().map(|k| k.expr.as_str()));
        }
        let mut out = Vec::new();
        for text in texts {
            let expr = crate::expr::parse(text).ok()?;
            let mut names = Vec::new();
            expr.column_names(&mut names);
            for name in names {
                match table.columns.iter().position(|c| c.name == name) {
                    Some(i) if !out.contains(&i) => out.push(i),
                    Some(_) => {}
                    None if self.derived.iter().any(|d| d.name == name) => {}
                    None => return None,
                }
            }
        }
        Some(out)
    }
}

/// The result of running a query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// Derived columns, in order (shown after the table's own columns).
    pub derived: Vec<Column>,
    /// Filtered, sorted rows (ungrouped views).
    pub rows: Vec<u32>,
    /// Groups, sorted (grouped views).
    pub groups: Option<GroupedView>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupedView {
    /// The group key expressions, as written.
    pub key_names: Vec<String>,
    pub grouping: Grouping,
}

impl View {
    /// Rows in the view as the grid counts them: groups when grouped.
    pub fn len(&self) -> usize {
        self.groups
            .as_ref()
            .map_or(self.rows.len(), |g| g.grouping.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn frame_of<'a>(table: &'a Table, derived: &'a [Column]) -> Frame<'a> {
    Frame {
        columns: table.columns.iter().chain(derived).collect(),
        rows: table.row_count(),
        masks: None,
    }
}

/// The schema a query's expressions are checked against (table + derived columns).
pub fn schema_of(table: &Table, derived: &[Column]) -> Schema {
    frame_of(table, derived).schema()
}

/// Runs `query` over `table`.
pub fn run(table: &Table, query: &Query) -> Result<View, QueryError> {
    run_with_masks(table, query, None)
}

/// Runs `query` with decoded masks available to `mask_coverage`.
pub fn run_with_masks(
    table: &Table,
    query: &Query,
    masks: Option<&dyn MaskSource>,
) -> Result<View, QueryError> {
    let err = |part: QueryPart, source: &str, error: ExprError| QueryError {
        part,
        text: source.to_string(),
        error,
    };
    let mut derived: Vec<Column> = Vec::new();
    for d in &query.derived {
        let mut frame = frame_of(table, &derived);
        frame.masks = masks;
        let (expr, _) = compile(&d.expr, &frame.schema())
            .map_err(|e| err(QueryPart::Derived(d.name.clone()), &d.expr, e))?;
        let column = materialize(&d.name, eval(&expr, &frame), frame.rows);
        derived.push(column);
    }
    let mut frame = frame_of(table, &derived);
    frame.masks = masks;
    let schema = frame.schema();
    let mut rows = match &query.filter {
        Some(f) => {
            let (expr, _) = compile(f, &schema).map_err(|e| err(QueryPart::Filter, f, e))?;
            filter_rows(&expr, &frame)
        }
        None => (0..frame.rows as u32).collect(),
    };
    if query.group.is_empty() {
        let mut keys = Vec::new();
        for (i, k) in query.sort.iter().enumerate() {
            let (expr, _) =
                compile(&k.expr, &schema).map_err(|e| err(QueryPart::Sort(i), &k.expr, e))?;
            keys.push((eval(&expr, &frame), k.descending));
        }
        sort_rows(&mut rows, &keys);
        drop(keys);
        return Ok(View {
            derived,
            rows,
            groups: None,
        });
    }
    let mut key_exprs = Vec::new();
    for (i, g) in query.group.iter().enumerate() {
        let (expr, _) = compile(g, &schema).map_err(|e| err(QueryPart::Group(i), g, e))?;
        key_exprs.push(expr);
    }
    let key_vectors: Vec<_> = key_exprs.iter().map(|e| eval(e, &frame)).collect();
    let mut grouping = group_rows(&rows, &key_vectors);
    drop(key_vectors);
    // Shown keys come from the row semantics of a member (an int column's key stays an int).
    for (key, members) in grouping.keys.iter_mut().zip(&grouping.members) {
        if let Some(&r) = members.first() {
            *key = key_exprs
                .iter()
                .map(|e| eval_row(e, &frame, r as usize))
                .collect();
        }
    }
    let grouping = sort_groups(grouping, &query.group, &query.sort)?;
    rows.clear();
    Ok(View {
        derived,
        rows,
        groups: Some(GroupedView {
            key_names: query.group.clone(),
            grouping,
        }),
    })
}

/// Sorts groups by expressions over a frame of the group keys (named as written)
/// and `count`; by default by the keys, ascending.
fn sort_groups(
    g: Grouping,
    key_names: &[String],
    sort: &[SortKey],
) -> Result<Grouping, QueryError> {
    let mut columns: Vec<Column> = key_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut b = crate::column::ColumnBuilder::new();
            for key in &g.keys {
                b.push_value(key[i].clone());
            }
            Column::new(name.clone(), None, b.finish(&Default::default()))
        })
        .collect();
    let counts: Vec<i64> = g.members.iter().map(|m| m.len() as i64).collect();
    columns.push(Column::new(
        "count",
        None,
        ColumnData::Int {
            valid: crate::bitmap::Bitmap::filled(counts.len(), true),
            values: counts,
        },
    ));
    let table = Table::from_columns(columns).map_err(|e| QueryError {
        part: QueryPart::Group(0),
        text: String::new(),
        error: ExprError::at(0, 0, e.to_string()),
    })?;
    let frame = Frame::of(&table);
    let schema = frame.schema();
    let default_keys: Vec<SortKey>;
    let sort = if sort.is_empty() {
        default_keys = key_names
            .iter()
            .map(|k| SortKey {
                expr: k.clone(),
                descending: false,
            })
            .collect();
        &default_keys
    } else {
        sort
    };
    let mut keys = Vec::new();
    for (i, k) in sort.iter().enumerate() {
        // A key written exactly like a group key names that key column.
        let expr = if key_names.contains(&k.expr) {
            crate::expr::Expr {
                kind: crate::expr::ExprKind::Column(k.expr.clone()),
                start: 0,
                end: k.expr.len(),
            }
        } else {
            compile(&k.expr, &schema)
                .map_err(|e| QueryError {
                    part: QueryPart::Sort(i),
                    text: k.expr.clone(),
                    error: ExprError {
                        message: format!(
                            "{} (a grouped view sorts by its keys or `count`)",
                            e.message
                        ),
                        ..e
                    },
                })?
                .0
        };
        keys.push((eval(&expr, &frame), k.descending));
    }
    let mut order: Vec<u32> = (0..g.len() as u32).collect();
    sort_rows(&mut order, &keys);
    let mut keys_out = Vec::with_capacity(g.len());
    let mut members_out = Vec::with_capacity(g.len());
    let (mut gk, mut gm): (Vec<Option<_>>, Vec<Option<_>>) = (
        g.keys.into_iter().map(Some).collect(),
        g.members.into_iter().map(Some).collect(),
    );
    for i in order {
        keys_out.extend(gk[i as usize].take());
        members_out.extend(gm[i as usize].take());
    }
    Ok(Grouping {
        keys: keys_out,
        members: members_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_nesting_and_quotes() {
        assert_eq!(
            split_top_level("a desc, max(b, c), 'x,y' asc"),
            ["a desc", "max(b, c)", "'x,y' asc"]
        );
        assert_eq!(split_top_level(""), Vec::<String>::new());
        assert_eq!(
            split_top_level("[1, 2], f(\"a,\\\"b\")"),
            ["[1, 2]", "f(\"a,\\\"b\")"]
        );
    }

    #[test]
    fn params_round_trip() {
        let q = Query::from_params([
            ("derive", "wrong=truth != guess"),
            ("filter", "wrong and score > 0.5"),
            ("group", "guess, truth"),
            ("sort", "count desc, guess"),
            ("hide", "image"),
            ("confusion", "truth, guess"),
            ("panel", "sparkline:emb: the vector"),
            ("chart", "scatter"),
            ("x", "score"),
            ("y", "loss * 2"),
        ]);
        assert_eq!(q.confusion, Some(("truth".into(), "guess".into())));
        assert_eq!(q.panel_of("emb: the vector"), Some("sparkline"));
        assert_eq!(
            (q.chart.as_deref(), q.chart_arg("y")),
            (Some("scatter"), Some("loss * 2"))
        );
        let mut narrowed = q.clone();
        narrowed.and_filter("id > 3");
        assert_eq!(
            narrowed.filter.as_deref(),
            Some("(wrong and score > 0.5) and id > 3")
        );
        let mut fresh = Query::default();
        fresh.and_filter("id > 3");
        assert_eq!(fresh.filter.as_deref(), Some("id > 3"));
        assert_eq!(
            q.sort[0],
            SortKey {
                expr: "count".into(),
                descending: true
            }
        );
        assert_eq!(q.derived[0].name, "wrong");
        let params = q.to_params();
        let again = Query::from_params(params.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(again, q);
    }
}

//! The positioning map: a PNG of where the article's 27 products stand, drawn
//! in-process from the knowledge base.
//!
//! Six regions, one per positioning, each headed by the rules that decide it (derived
//! from [`Outcome::decision`], so the map cannot drift from the rule module). Law 2
//! splits them: social positions on the left, tools on the right. Each product is a
//! dot in the region its assessed profile lands in, coloured and shaped by its outlook
//! (Okabe–Ito colours, and a shape per outlook, so colour is never the only cue). The
//! asker's product is a blue star with its verdict under the title. Labels sit in a
//! grid inside their region, so none overlaps another; [`layout`] returns every box
//! drawn, which the tests check.
//!
//! Nothing is kept between renders: the font is parsed from the bytes compiled in,
//! the picture drawn, encoded and dropped.

use crate::font::{self, Font};
use crate::kb::{Kb, Msg};
use crate::lang::{fill, Lang};
use crate::rules::{Outcome, Outlook, Positioning, RuleId};
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

/// The picture's size, in pixels: readable full size, and at Discord's ~400 px
/// inline preview for its title, regions, colours and the asker's star.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 800;
/// The attachment's file name (`attachment://map.png` in an embed).
pub const FILE_NAME: &str = "map.png";

/// Okabe–Ito colours (safe for the common colour-vision deficiencies), one per
/// outlook, and blue for the asker's star only.
pub const FAVORABLE: [u8; 3] = [0x00, 0x9E, 0x73];
pub const CONDITIONAL: [u8; 3] = [0xE6, 0x9F, 0x00];
pub const UNFAVORABLE: [u8; 3] = [0xD5, 0x5E, 0x00];
pub const ASKER: [u8; 3] = [0x00, 0x72, 0xB2];
/// The border of the asker's region (sky blue, lighter than the star).
const ASKER_REGION: [u8; 3] = [0x56, 0xB4, 0xE9];
const INK: [u8; 3] = [0x1A, 0x1A, 0x1A];
const MUTED: [u8; 3] = [0x50, 0x50, 0x50];
pub const BACKGROUND: [u8; 3] = [0xFF, 0xFF, 0xFF];
const PANEL: [u8; 3] = [0xF4, 0xF4, 0xF0];
const PANEL_BORDER: [u8; 3] = [0xC4, 0xC4, 0xC0];

/// The colour of an outlook on the map.
pub fn outlook_color(o: Outlook) -> [u8; 3] {
    match o {
        Outlook::Favorable => FAVORABLE,
        Outlook::Conditional => CONDITIONAL,
        Outlook::Unfavorable => UNFAVORABLE,
    }
}

fn outlook_shape(o: Outlook) -> Shape {
    match o {
        Outlook::Favorable => Shape::Circle,
        Outlook::Conditional => Shape::Diamond,
        Outlook::Unfavorable => Shape::Square,
    }
}

/// The product the map marks: the asker's, or one of the 27 (by index in
/// `kb.products`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub product: Option<usize>,
    pub positioning: Positioning,
    pub outlook: Outlook,
    pub primary: RuleId,
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Bounds {
    pub fn intersects(&self, o: &Bounds) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }
}

/// One line of text, where it is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub bold: bool,
    pub color: [u8; 3],
    /// The text's em box: from the advance widths, 0.88 em above the baseline to
    /// 0.12 em below.
    pub bounds: Bounds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Diamond,
    Square,
    Star,
}

/// A marker: a product's dot, a legend swatch, or the asker's star.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    pub x: f32,
    pub y: f32,
    pub r: f32,
    pub shape: Shape,
    pub color: [u8; 3],
}

/// A positioning's region.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub positioning: Positioning,
    pub bounds: Bounds,
    /// Whether the asker's product stands here.
    pub marked: bool,
}

/// A product (or the asker's own) placed on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Index in `kb.products`; `None` for the asker's own product.
    pub product: Option<usize>,
    pub region: usize,
    pub dot: Dot,
    /// Index in [`Layout::labels`].
    pub label: usize,
    pub asker: bool,
}

/// Everything the map draws, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub regions: Vec<Region>,
    pub places: Vec<Place>,
    pub labels: Vec<Label>,
    pub dots: Vec<Dot>,
    /// Straight rules: (x0, y0, x1, y1).
    pub lines: Vec<(f32, f32, f32, f32)>,
}

/// The positionings in map order: social ones (2 × 2) on the left, tools on the right.
const GRID: [(Positioning, usize, usize); 6] = [
    (Positioning::NationalChat, 0, 0),
    (Positioning::EnterpriseCampus, 1, 0),
    (Positioning::Subculture, 0, 1),
    (Positioning::InterestCommunity, 1, 1),
    (Positioning::Tool, 2, 0),
    (Positioning::ToolWithChat, 2, 1),
];

fn region_msg(p: Positioning) -> Msg {
    match p {
        Positioning::NationalChat => Msg::MapRegionNationalChat,
        Positioning::EnterpriseCampus => Msg::MapRegionEnterpriseCampus,
        Positioning::Subculture => Msg::MapRegionSubculture,
        Positioning::InterestCommunity => Msg::MapRegionInterestCommunity,
        Positioning::Tool => Msg::MapRegionTool,
        Positioning::ToolWithChat => Msg::MapRegionToolWithChat,
    }
}

/// The rules that decide a positioning, in trace order: every primary rule of an
/// outcome that lands there.
pub fn deciding_rules(p: Positioning) -> Vec<RuleId> {
    let mut rules: Vec<RuleId> = Outcome::ALL.iter().map(|o| o.decision()).filter(|d| d.1 == p).map(|d| d.0).collect();
    rules.sort();
    rules.dedup();
    rules
}

const MARGIN: f32 = 24.0;
const PANELS_TOP: f32 = 142.0;
const PANELS_BOTTOM: f32 = 724.0;
const GAP: f32 = 14.0;
/// The space between the social and the tool columns (law 2's divide).
const DIVIDE: f32 = 36.0;

/// How a label is drawn: its largest size, weight and colour.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    color: [u8; 3],
}

const fn style(size: f32, bold: bool, color: [u8; 3]) -> Style {
    Style { size, bold, color }
}

struct Builder<'f> {
    face: &'f ttf_parser::Face<'f>,
    layout: Layout,
}

impl Builder<'_> {
    /// A label at `style.size`, shrunk to fit `max_w` (never below 60 %), its
    /// baseline starting at `(x, baseline)`.
    fn label(&mut self, text: String, (x, baseline): (f32, f32), max_w: f32, style: Style) -> usize {
        let mut size = style.size;
        let w = Font::new(self.face, size).width(&text);
        if w > max_w && w > 0.0 {
            size = (size * max_w / w).max(size * 0.6);
        }
        let w = Font::new(self.face, size).width(&text);
        let bounds = Bounds { x, y: baseline - 0.88 * size, w, h: size };
        self.layout.labels.push(Label { text, x, baseline, size, bold: style.bold, color: style.color, bounds });
        self.layout.labels.len() - 1
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        Font::new(self.face, size).width(text)
    }
}

/// "Your product: Tool, conditional · Corollary 5": the marked product's verdict, as
/// the map and its message say it.
pub fn marker_line(kb: &Kb, mk: &Marker, lang: Lang) -> String {
    let m = |msg: Msg| kb.msg(msg, lang);
    let name = match mk.product {
        Some(i) => kb.products[i].name.get(lang),
        None => m(Msg::MapYou),
    };
    fill(
        m(Msg::MapMarker),
        &[
            ("name", name),
            ("positioning", m(Msg::from(mk.positioning))),
            ("outlook", m(Msg::from(mk.outlook))),
            ("rule", kb.rule_label(mk.primary, lang)),
        ],
    )
}

/// Lay the map out: what is drawn where.
pub fn layout(kb: &Kb, marker: Option<&Marker>, lang: Lang) -> Layout {
    let face = font::face();
    let mut b = Builder {
        face: &face,
        layout: Layout {
            regions: Vec::new(),
            places: Vec::new(),
            labels: Vec::new(),
            dots: Vec::new(),
            lines: Vec::new(),
        },
    };
    let m = |msg: Msg| kb.msg(msg, lang);
    let full = WIDTH as f32 - 2.0 * MARGIN;

    // Title, and the asker's verdict (or what the map shows).
    b.label(m(Msg::MapTitle).to_string(), (MARGIN, 52.0), full, style(38.0, true, INK));
    match marker {
        Some(mk) => {
            let text = marker_line(kb, mk, lang);
            b.layout.dots.push(Dot { x: MARGIN + 14.0, y: 88.0, r: 15.0, shape: Shape::Star, color: ASKER });
            b.label(text, (MARGIN + 38.0, 98.0), full - 38.0, style(28.0, true, ASKER));
        }
        None => {
            b.label(m(Msg::MapSubtitle).to_string(), (MARGIN, 96.0), full, style(24.0, false, MUTED));
        }
    }

    // Law 2's divide: social on the left, tools on the right.
    let col_w = (full - GAP - DIVIDE) / 3.0;
    let col_x = [MARGIN, MARGIN + col_w + GAP, MARGIN + 2.0 * col_w + GAP + DIVIDE];
    let row_h = (PANELS_BOTTOM - PANELS_TOP - GAP) / 2.0;
    let row_y = [PANELS_TOP, PANELS_TOP + row_h + GAP];
    let social_w = 2.0 * col_w + GAP;
    b.label(m(Msg::MapSocial).to_string(), (MARGIN, 130.0), social_w, style(19.0, true, MUTED));
    b.label(m(Msg::MapTool).to_string(), (col_x[2], 130.0), col_w, style(19.0, true, MUTED));
    let divide_x = MARGIN + social_w + DIVIDE / 2.0;
    b.layout.lines.push((divide_x, 112.0, divide_x, PANELS_BOTTOM));

    for (positioning, col, row) in GRID {
        let bounds = Bounds { x: col_x[col], y: row_y[row], w: col_w, h: row_h };
        let marked = marker.is_some_and(|mk| mk.positioning == positioning);
        b.layout.regions.push(Region { positioning, bounds, marked });
        let region = b.layout.regions.len() - 1;
        let inner_x = bounds.x + 14.0;
        let inner_w = bounds.w - 28.0;
        b.label(m(region_msg(positioning)).to_string(), (inner_x, bounds.y + 36.0), inner_w, style(28.0, true, INK));
        let sep = if lang == Lang::Zh { "、" } else { ", " };
        let rules: Vec<&str> = deciding_rules(positioning).into_iter().map(|r| kb.rule_label(r, lang)).collect();
        let decided = fill(m(Msg::MapDecided), &[("rules", &rules.join(sep))]);
        b.label(decided, (inner_x, bounds.y + 62.0), inner_w, style(18.0, false, MUTED));

        // The products standing here: the asker's first, then by outlook, branch and
        // the article's order.
        let mut here: Vec<(Option<usize>, Outlook, Outcome, bool)> = kb
            .products
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let a = crate::rules::assess(&p.profile);
                let asker = marker.is_some_and(|mk| mk.product == Some(i));
                (a.positioning == positioning).then_some((Some(i), a.outlook, a.outcome, asker))
            })
            .collect();
        here.sort_by_key(|(i, o, c, asker)| (!asker, *o as u8, *c as u8, *i));
        if let Some(mk) = marker.filter(|mk| mk.product.is_none() && mk.positioning == positioning) {
            here.insert(0, (None, mk.outlook, Outcome::ALL[0], true));
        }
        let names: Vec<String> = here
            .iter()
            .map(|(i, ..)| match i {
                Some(i) => kb.products[*i].name.get(lang).to_string(),
                None => m(Msg::MapYou).to_string(),
            })
            .collect();
        place(&mut b, region, bounds, &here, names);
    }

    // Legend: the outlooks' colours and shapes, the asker's star; then the credit.
    let mut x = MARGIN;
    let legend_y = 757.0;
    let mut entries: Vec<(Shape, [u8; 3], String)> =
        Outlook::ALL.iter().map(|&o| (outlook_shape(o), outlook_color(o), m(Msg::from(o)).to_string())).collect();
    if let Some(mk) = marker {
        let name = mk.product.map_or(m(Msg::MapYou), |i| kb.products[i].name.get(lang));
        entries.push((Shape::Star, ASKER, name.to_string()));
    }
    for (shape, color, text) in entries {
        b.layout.dots.push(Dot { x: x + 10.0, y: legend_y - 7.0, r: 10.0, shape, color });
        let w = b.width(&text, 21.0);
        b.label(text, (x + 26.0, legend_y), w, style(21.0, false, INK));
        x += 26.0 + w + 28.0;
    }
    // The CJK font's curly quotes are full width: straight ones read better in English.
    let credit = match lang {
        Lang::En => kb.source_credit(lang).replace(['“', '”'], "\""),
        Lang::Zh => kb.source_credit(lang).to_string(),
    };
    b.label(credit, (MARGIN, 788.0), full, style(16.0, false, MUTED));
    b.layout
}

/// The entries of one region in a grid of columns, as large as fits, so no label
/// overlaps another.
fn place(
    b: &mut Builder,
    region: usize,
    bounds: Bounds,
    here: &[(Option<usize>, Outlook, Outcome, bool)],
    names: Vec<String>,
) {
    let n = here.len();
    if n == 0 {
        return;
    }
    let top = bounds.y + 78.0;
    let height = bounds.y + bounds.h - 8.0 - top;
    let inner_w = bounds.w - 28.0;
    const DOT: f32 = 32.0;
    // Choose the column count that lets the labels be largest.
    let mut best = (0.0f32, 1usize, 0.0f32);
    for cols in 1..=3usize {
        let rows = n.div_ceil(cols);
        let row_h = (height / rows as f32).min(40.0);
        let col_w = inner_w / cols as f32;
        let widest = names.iter().map(|t| b.width(t, 1.0)).fold(0.0f32, f32::max);
        let size = (row_h * 0.68).min(26.0).min((col_w - DOT - 8.0) / widest.max(0.1));
        if size > best.0 + 0.5 {
            best = (size, cols, row_h);
        }
    }
    let (size, cols, row_h) = best;
    let rows = n.div_ceil(cols);
    let col_w = inner_w / cols as f32;
    for (k, ((product, outlook, _, asker), name)) in here.iter().zip(names).enumerate() {
        let (col, row) = (k / rows, k % rows);
        let x = bounds.x + 14.0 + col as f32 * col_w;
        let cy = top + row as f32 * row_h + row_h / 2.0;
        let (dot, color) = if *asker {
            (Dot { x: x + 11.0, y: cy, r: 11.5, shape: Shape::Star, color: ASKER }, ASKER)
        } else {
            (Dot { x: x + 11.0, y: cy, r: 8.5, shape: outlook_shape(*outlook), color: outlook_color(*outlook) }, INK)
        };
        let label = b.label(name, (x + DOT, cy + 0.38 * size), col_w - DOT - 8.0, style(size, *asker, color));
        b.layout.places.push(Place { product: *product, region, dot, label, asker: *asker });
    }
}

fn paint(c: [u8; 3]) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c[0], c[1], c[2], 255);
    p.anti_alias = true;
    p
}

fn rounded(b: &Bounds, r: f32) -> Option<tiny_skia::Path> {
    let (x0, y0, x1, y1) = (b.x, b.y, b.x + b.w, b.y + b.h);
    let mut p = PathBuilder::new();
    p.move_to(x0 + r, y0);
    p.line_to(x1 - r, y0);
    p.quad_to(x1, y0, x1, y0 + r);
    p.line_to(x1, y1 - r);
    p.quad_to(x1, y1, x1 - r, y1);
    p.line_to(x0 + r, y1);
    p.quad_to(x0, y1, x0, y1 - r);
    p.line_to(x0, y0 + r);
    p.quad_to(x0, y0, x0 + r, y0);
    p.close();
    p.finish()
}

fn shape_path(d: &Dot) -> Option<tiny_skia::Path> {
    let (x, y, r) = (d.x, d.y, d.r);
    match d.shape {
        Shape::Circle => PathBuilder::from_circle(x, y, r),
        Shape::Square => {
            let s = r * 0.9;
            Rect::from_xywh(x - s, y - s, 2.0 * s, 2.0 * s).map(PathBuilder::from_rect)
        }
        Shape::Diamond => {
            let s = r * 1.2;
            let mut p = PathBuilder::new();
            p.move_to(x, y - s);
            p.line_to(x + s, y);
            p.line_to(x, y + s);
            p.line_to(x - s, y);
            p.close();
            p.finish()
        }
        Shape::Star => {
            let mut p = PathBuilder::new();
            for k in 0..10 {
                let radius = if k % 2 == 0 { r * 1.2 } else { r * 0.5 };
                let a = std::f32::consts::PI * (k as f32) / 5.0 - std::f32::consts::FRAC_PI_2;
                let (px, py) = (x + radius * a.cos(), y + radius * a.sin());
                if k == 0 {
                    p.move_to(px, py);
                } else {
                    p.line_to(px, py);
                }
            }
            p.close();
            p.finish()
        }
    }
}

/// Draw a laid-out map.
pub fn draw(layout: &Layout) -> Pixmap {
    let face = font::face();
    let mut pixmap = Pixmap::new(WIDTH, HEIGHT).expect("a non-empty canvas");
    let [r, g, bl] = BACKGROUND;
    pixmap.fill(Color::from_rgba8(r, g, bl, 255));
    let id = Transform::identity();
    for &(x0, y0, x1, y1) in &layout.lines {
        let mut p = PathBuilder::new();
        p.move_to(x0, y0);
        p.line_to(x1, y1);
        if let Some(path) = p.finish() {
            let stroke =
                Stroke { width: 2.0, dash: tiny_skia::StrokeDash::new(vec![8.0, 6.0], 0.0), ..Stroke::default() };
            pixmap.stroke_path(&path, &paint(PANEL_BORDER), &stroke, id, None);
        }
    }
    for region in &layout.regions {
        if let Some(path) = rounded(&region.bounds, 12.0) {
            pixmap.fill_path(&path, &paint(PANEL), FillRule::Winding, id, None);
            let (color, width) = if region.marked { (ASKER_REGION, 5.0) } else { (PANEL_BORDER, 1.5) };
            pixmap.stroke_path(&path, &paint(color), &Stroke { width, ..Stroke::default() }, id, None);
        }
    }
    for d in layout.dots.iter().chain(layout.places.iter().map(|p| &p.dot)) {
        if let Some(path) = shape_path(d) {
            pixmap.fill_path(&path, &paint(d.color), FillRule::Winding, id, None);
            let edge = if d.shape == Shape::Star { 1.0 } else { 1.5 };
            pixmap.stroke_path(&path, &paint(INK), &Stroke { width: edge, ..Stroke::default() }, id, None);
        }
    }
    for l in &layout.labels {
        Font::new(&face, l.size).draw(&mut pixmap, &l.text, l.x, l.baseline, &paint(l.color), l.bold);
    }
    pixmap
}

/// The map as a PNG. Nothing is kept: the canvas (3.8 MB) is freed, and handed back
/// to the system rather than left in the allocator's arenas.
pub fn render(kb: &Kb, marker: Option<&Marker>, lang: Lang) -> Vec<u8> {
    let png = encode(&draw(&layout(kb, marker, lang)));
    give_back_freed_memory();
    png
}

/// glibc keeps large freed blocks once its dynamic mmap threshold has grown past them;
/// `malloc_trim` returns them. Elsewhere the allocator's own policy stands.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory at the top of the heap and in
    // free arena pages; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// An opaque pixmap as an 8-bit RGB PNG, each row filtered adaptively: about a
/// third of tiny-skia's RGBA encoding for a picture of flat colours and text.
pub fn encode(pixmap: &Pixmap) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(256 * 1024);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header().expect("PNG header into memory");
    // Row by row: the opaque pixmap's premultiplied RGBA is its RGB, alpha dropped.
    let mut stream = writer.stream_writer().expect("PNG stream into memory");
    let mut row = Vec::with_capacity(pixmap.width() as usize * 3);
    for line in pixmap.data().chunks_exact(pixmap.width() as usize * 4) {
        row.clear();
        row.extend(line.chunks_exact(4).flat_map(|px| [px[0], px[1], px[2]]));
        stream.write_all(&row).expect("PNG rows into memory");
    }
    stream.finish().expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

//! The map's one font, compiled in: Noto Sans CJK SC Regular (SIL OFL 1.1, see
//! `assets/fonts/OFL.txt`), subset by `assets/fonts/subset.py` to printable ASCII and
//! the characters of the knowledge base's map labels. Glyph outlines are read with
//! ttf-parser and filled by tiny-skia, so no font is ever looked up on the system.

use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Stroke, Transform};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

/// The font file, as shipped in `assets/fonts/`.
pub static FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansCJKsc-Regular-subset.otf");

/// The parsed font (parsing reads only the table directory: cheap, nothing kept).
pub fn face() -> Face<'static> {
    Face::parse(FONT, 0).expect("the shipped font parses")
}

/// The characters of `text` the font has no glyph for (whitespace other than a
/// space counts as missing: a label is one line).
pub fn missing(face: &Face, text: &str) -> Option<char> {
    text.chars().find(|&c| c != ' ' && (c.is_control() || face.glyph_index(c).is_none()))
}

/// Text measured and drawn at one size.
#[derive(Debug, Clone, Copy)]
pub struct Font<'f> {
    face: &'f Face<'f>,
    scale: f32,
}

impl<'f> Font<'f> {
    pub fn new(face: &'f Face<'f>, size: f32) -> Font<'f> {
        Font { face, scale: size / f32::from(face.units_per_em()) }
    }

    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(GlyphId(0))
    }

    /// The advance width of `text`, in pixels.
    pub fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| f32::from(self.face.glyph_hor_advance(self.glyph(c)).unwrap_or(0)) * self.scale).sum()
    }

    /// The ascent above the baseline, in pixels (for the box a line occupies).
    pub fn ascent(&self) -> f32 {
        f32::from(self.face.ascender()) * self.scale
    }

    /// The descent below the baseline, in pixels (positive).
    pub fn descent(&self) -> f32 {
        -f32::from(self.face.descender()) * self.scale
    }

    /// Draw `text` with its baseline starting at `(x, baseline)`; `bold` thickens the
    /// strokes (one weight is shipped).
    pub fn draw(&self, pixmap: &mut Pixmap, text: &str, x: f32, baseline: f32, paint: &Paint, bold: bool) {
        let mut outline = Outline { path: PathBuilder::new(), x, y: baseline, scale: self.scale };
        for c in text.chars() {
            let id = self.glyph(c);
            self.face.outline_glyph(id, &mut outline);
            outline.x += f32::from(self.face.glyph_hor_advance(id).unwrap_or(0)) * self.scale;
        }
        let Some(path) = outline.path.finish() else { return };
        pixmap.fill_path(&path, paint, FillRule::Winding, Transform::identity(), None);
        if bold {
            let stroke = Stroke { width: self.scale * 1000.0 * 0.045, ..Stroke::default() };
            pixmap.stroke_path(&path, paint, &stroke, Transform::identity(), None);
        }
    }
}

/// Glyph outlines (font units, y up) into one path in pixels (y down).
struct Outline {
    path: PathBuilder,
    x: f32,
    y: f32,
    scale: f32,
}

impl Outline {
    fn p(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.path.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.path.line_to(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let ((x1, y1), (x, y)) = (self.p(x1, y1), self.p(x, y));
        self.path.quad_to(x1, y1, x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let ((x1, y1), (x2, y2), (x, y)) = (self.p(x1, y1), self.p(x2, y2), self.p(x, y));
        self.path.cubic_to(x1, y1, x2, y2, x, y);
    }

    fn close(&mut self) {
        self.path.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_ascii_and_the_labels() {
        let face = face();
        assert_eq!(missing(&face, "Hello, WeChat (微信) · 第三定律"), None);
        assert_eq!(missing(&face, "龘"), Some('龘'));
        assert_eq!(missing(&face, "a\tb"), Some('\t'));
        let f = Font::new(&face, 20.0);
        assert!(f.width("微信") > f.width("ab"));
    }
}

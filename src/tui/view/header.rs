//! The header line, laid out from parts by priority. Each part is shown whole or not at all;
//! only the scenario's name may be cut (with `…`). What must never be missed — the invariant
//! status (the alarm when safety breaks), the mutant the cluster runs, an unsafe start —
//! always shows; the rest joins in order of importance while it fits.

use super::style;
use super::text;
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::collections::BTreeMap;

/// Where a part goes, in screen order: the left side first, then the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Brand,
    Mutant,
    Name,
    UnsafeStart,
    Beat,
    History,
    Clock,
    Expect,
    Invariants,
    Help,
}

impl Slot {
    fn on_right(self) -> bool {
        self >= Slot::Clock
    }
}

/// A part offered for a slot. Offers are tried from the most important; a later offer for a
/// slot already filled replaces it (a longer form) when the line still fits.
struct Offer {
    slot: Slot,
    text: String,
    style: Style,
    /// Shown even when the line does not fit.
    always: bool,
    /// May be cut with `…` to the room left (the scenario's name only).
    may_cut: bool,
}

/// The narrowest a cut scenario name is worth showing, `…` included.
const NAME_MIN_CUT: usize = 8;

/// The parts chosen, by slot.
type Chosen = BTreeMap<Slot, (String, Style)>;

/// The width of the header line with these parts: the left side, a gap, the right side.
fn line_width(chosen: &Chosen) -> usize {
    let (mut left, mut right, mut shown_right) = (0, 0, 0);
    for (slot, (text, _)) in chosen {
        if slot.on_right() {
            // " text", and " ·" between right parts.
            right += 1 + text::width_of(text) + if shown_right > 0 { 2 } else { 0 };
            shown_right += 1;
        } else {
            // " text" for the first, " · text" for the others.
            left += text::width_of(text) + if left == 0 { 1 } else { 3 };
        }
    }
    // The right side ends with a space; one column at least between the two sides.
    left + right + 1 + 1
}

/// Chooses the parts that fit in `width` columns, trying `offers` in order.
fn choose(width: usize, offers: Vec<Offer>) -> Chosen {
    let mut chosen = Chosen::new();
    for offer in offers {
        let mut trial = chosen.clone();
        trial.insert(offer.slot, (offer.text.clone(), offer.style));
        if offer.always || line_width(&trial) <= width {
            chosen = trial;
            continue;
        }
        if offer.may_cut && !chosen.contains_key(&offer.slot) {
            let fixed = line_width(&trial) - text::width_of(&offer.text);
            let room = width.saturating_sub(fixed);
            if room >= NAME_MIN_CUT {
                chosen.insert(offer.slot, (text::fit(&offer.text, room), offer.style));
            }
        }
    }
    chosen
}

/// The chosen parts as the two sides' lines.
fn lines(chosen: &Chosen, help: bool) -> (Line<'static>, Line<'static>) {
    let mut left = Vec::new();
    let mut right = Vec::new();
    for (slot, (text, style)) in chosen {
        if slot.on_right() {
            if !right.is_empty() {
                right.push(Span::raw(" ·"));
            }
            right.push(Span::styled(format!(" {text}"), *style));
        } else {
            let sep = if left.is_empty() { " " } else { " · " };
            left.push(Span::raw(sep));
            left.push(Span::styled(text.clone(), *style));
        }
    }
    if !help {
        right.push(Span::raw(" "));
    }
    (Line::from(left), Line::from(right))
}

impl App {
    /// Every part the header could show, the most important first.
    fn header_offers(&self, width: u16) -> Vec<Offer> {
        let s = &self.session;
        let offer = |slot, text: String, style, always, may_cut| Offer {
            slot,
            text,
            style,
            always,
            may_cut,
        };
        let mut offers = Vec::new();
        let violations = s.cluster().violations();
        offers.push(match violations.first() {
            None => offer(
                Slot::Invariants,
                "invariants ✓".into(),
                style::good(),
                true,
                false,
            ),
            Some(first) => {
                // Name the first invariant broken; count any others. The padding is part of
                // the alarm's colour.
                let more = match violations.len() {
                    1 => String::new(),
                    n => format!(" (+{})", n - 1),
                };
                let title = first.invariant().title().to_uppercase();
                offer(
                    Slot::Invariants,
                    format!("✗ {title} BROKEN{more} "),
                    style::alarm(),
                    true,
                    false,
                )
            }
        });
        let bug = s.cluster().bug();
        if let Some(bug) = bug {
            offers.push(offer(
                Slot::Mutant,
                format!("⚠ {}", bug.short_plain()),
                style::alarm(),
                true,
                false,
            ));
        }
        // The file asked to start from a state Raft cannot reach: say so, always.
        if s.scenario().unsafe_start {
            offers.push(offer(
                Slot::UnsafeStart,
                "UNSAFE START".into(),
                style::alarm(),
                true,
                false,
            ));
        }
        // Time mode: the simulated clock, playing or paused, and the speed.
        if let Some(now) = self.shown_time() {
            let (glyph, st) = if self.play.playing {
                ("▶", style::good())
            } else {
                ("‖", style::heading())
            };
            let speed = self.play.speed_label();
            let clock = format!("t {:.3} s {glyph} {speed}", now as f64 / 1e6);
            offers.push(offer(Slot::Clock, clock, st, false, false));
        }
        let (passed, failed) = s.expectation_counts();
        let expect = offer(
            Slot::Expect,
            format!("expect {passed}✓ {failed}✗"),
            if failed > 0 {
                style::alarm()
            } else {
                style::good()
            },
            false,
            false,
        );
        let expect = (passed + failed > 0).then_some(expect);
        let (expect_failed, expect_passed) = if failed > 0 {
            (expect, None)
        } else {
            (None, expect)
        };
        offers.extend(expect_failed);
        if s.has_script() {
            let beat = format!("beat {}/{}", s.beats_played(), s.beats().len());
            offers.push(offer(Slot::Beat, beat, Style::new(), false, false));
        }
        if let Some(bug) = bug {
            // The long plain words, when there is room for them: what the lesson is about.
            let plain = format!("⚠ {}", bug.plain());
            offers.push(offer(Slot::Mutant, plain, style::alarm(), false, false));
        }
        offers.extend(expect_passed);
        // The name whole; else, after the brand and help, cut to what is left.
        let name = text::fit(&s.scenario().name, usize::MAX);
        if !name.is_empty() {
            offers.push(offer(Slot::Name, name.clone(), Style::new(), false, false));
        }
        let brand = offer(
            Slot::Brand,
            "raftwalk".into(),
            style::heading(),
            false,
            false,
        );
        offers.push(brand);
        // The key bar says it too; on a narrow screen the other parts need the room.
        if width >= 100 {
            let help = offer(Slot::Help, "? help ".into(), style::dim(), false, false);
            offers.push(help);
        }
        if !name.is_empty() {
            offers.push(offer(Slot::Name, name, Style::new(), false, true));
        }
        let history = format!("history {}", s.position());
        offers.push(offer(Slot::History, history, style::dim(), false, false));
        offers
    }

    /// The header's text, part by part as it is drawn at `width` columns: (left, right).
    pub fn header_parts(&self, width: u16) -> (Vec<String>, Vec<String>) {
        let chosen = choose(width as usize, self.header_offers(width));
        let side = |right: bool| {
            chosen
                .iter()
                .filter(|(slot, _)| slot.on_right() == right)
                .map(|(_, (text, _))| text.trim_end().to_string())
                .collect()
        };
        (side(false), side(true))
    }

    /// Draws the header on `area`'s first row.
    pub(super) fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let chosen = choose(area.width as usize, self.header_offers(area.width));
        let (left, right) = lines(&chosen, chosen.contains_key(&Slot::Help));
        let right_width = right.width() as u16;
        buf.set_line(area.x, area.y, &left, area.width);
        let right_x = area.right().saturating_sub(right_width);
        buf.set_line(right_x, area.y, &right, right_width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(slot: Slot, text: &str, always: bool, may_cut: bool) -> Offer {
        Offer {
            slot,
            text: text.into(),
            style: Style::new(),
            always,
            may_cut,
        }
    }

    fn shown(width: usize, offers: Vec<Offer>) -> String {
        let chosen = choose(width, offers);
        let (left, right) = lines(&chosen, false);
        let (l, r) = (left.to_string(), right.to_string());
        let gap = width.saturating_sub(text::width_of(&l) + text::width_of(&r));
        format!("{l}{}{r}", " ".repeat(gap))
    }

    #[test]
    fn a_part_that_does_not_fit_is_left_out_whole() {
        let offers = || {
            vec![
                offer(Slot::Invariants, "invariants ✓", true, false),
                offer(Slot::Beat, "beat 10/12", false, false),
                offer(Slot::Brand, "raftwalk", false, false),
            ]
        };
        assert_eq!(
            shown(40, offers()),
            " raftwalk · beat 10/12     invariants ✓ "
        );
        // One column short for the brand: it goes, the beat stays whole.
        assert_eq!(shown(26, offers()), " beat 10/12  invariants ✓ ");
        // Short of room for the beat, a less important part that fits still shows.
        assert_eq!(shown(25, offers()), " raftwalk   invariants ✓ ");
        // Too narrow for the beat: the invariant status alone, never a piece of the beat.
        assert_eq!(shown(20, offers()), "       invariants ✓ ");
    }

    #[test]
    fn a_longer_form_replaces_a_shorter_one_only_when_it_fits() {
        let offers = || {
            vec![
                offer(Slot::Mutant, "⚠ votes twice", true, false),
                offer(Slot::Invariants, "invariants ✓", true, false),
                offer(Slot::Mutant, "⚠ this cluster votes twice", false, false),
            ]
        };
        assert!(shown(60, offers()).starts_with(" ⚠ this cluster votes twice "));
        assert!(shown(30, offers()).starts_with(" ⚠ votes twice "));
    }

    #[test]
    fn only_the_name_is_cut_and_not_below_its_minimum() {
        let offers = || {
            vec![
                offer(Slot::Invariants, "ok", true, false),
                offer(Slot::Name, "Figure 7, case a", false, true),
            ]
        };
        assert_eq!(shown(22, offers()), " Figure 7, case a  ok ");
        assert_eq!(shown(15, offers()), " Figure 7…  ok ");
        // Room for less than 8 columns: no name at all.
        assert_eq!(shown(13, offers()), "          ok ");
    }
}

//! Cumulative distributions drawn as SVG with plotters, one panel per graph, stacked, as the
//! paper draws Figure 16.

use plotters::prelude::*;

/// How a panel's time axis is scaled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// Logarithmic from `lo` to `hi` ms (the paper's top graph).
    Log(f64, f64),
    /// Linear from `lo` to `hi` ms (the paper's bottom graph).
    Linear(f64, f64),
}

/// One graph: its title, its axis and its lines (label, points of (ms, percent)).
#[derive(Clone, Debug)]
pub struct Panel {
    /// The title over it.
    pub title: String,
    /// The time axis.
    pub scale: Scale,
    /// The lines, each a label and a cumulative distribution.
    pub lines: Vec<(String, Vec<(f64, f64)>)>,
}

const WIDTH: u32 = 900;
const PANEL_HEIGHT: u32 = 420;

/// The panels as one SVG document, stacked top to bottom.
pub fn svg(panels: &[Panel]) -> Result<String, String> {
    let mut out = String::new();
    {
        let height = PANEL_HEIGHT * panels.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let areas = root.split_evenly((panels.len().max(1), 1));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            draw_panel(panel, area).map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Failure<'a> = DrawingAreaErrorKind<<SVGBackend<'a> as DrawingBackend>::ErrorType>;

fn draw_panel<'a>(panel: &Panel, area: &Area<'a>) -> Result<(), Failure<'a>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&panel.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50);
    match panel.scale {
        Scale::Log(lo, hi) => {
            let mut chart = builder.build_cartesian_2d((lo..hi).log_scale(), 0f64..100f64)?;
            chart
                .configure_mesh()
                .x_desc("time without a leader (ms)")
                .y_desc("cumulative percent")
                .x_label_formatter(&|v| format!("{v:.0}"))
                .draw()?;
            draw_lines(&mut chart, panel, lo)
        }
        Scale::Linear(lo, hi) => {
            let mut chart = builder.build_cartesian_2d(lo..hi, 0f64..100f64)?;
            chart
                .configure_mesh()
                .x_desc("time without a leader (ms)")
                .y_desc("cumulative percent")
                .draw()?;
            draw_lines(&mut chart, panel, lo)
        }
    }
}

/// The paper's lines are told apart by colour; so are these, from a fixed palette.
const PALETTE: [RGBColor; 6] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

fn draw_lines<'a, X>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<X, plotters::coord::types::RangedCoordf64>,
    >,
    panel: &Panel,
    start: f64,
) -> Result<(), Failure<'a>>
where
    X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    for (i, (label, points)) in panel.lines.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // A step function: flat at 0 up to the first trial, then up at each one.
        let mut steps = vec![(start, 0.0)];
        let mut below = 0.0;
        for &(x, y) in points {
            steps.push((x, below));
            steps.push((x, y));
            below = y;
        }
        chart
            .draw_series(LineSeries::new(steps, color.stroke_width(2)))?
            .label(label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

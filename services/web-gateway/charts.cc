#include "services/web-gateway/charts.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mm::web {

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

const std::string& PaletteColor(size_t i) {
  static const std::vector<std::string> kPalette = {
      "#3c6eb4", "#51a2da", "#294172", "#79c0a8", "#e59728", "#db3279", "#8b5fbf",
      "#2e8540", "#c9513e", "#6d7a8c", "#f2c14e", "#1b998b", "#a4b0be"};
  return kPalette[i % kPalette.size()];
}

std::string DoughnutSvg(const std::vector<Slice>& slices) {
  double total = 0;
  for (const auto& s : slices) total += std::max(0.0, s.value);
  std::string out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 220 220\" role=\"img\" "
      "aria-label=\"Doughnut chart\">";
  const double cx = 110, cy = 110, r = 100, inner = 58;
  if (total <= 0) {
    absl::StrAppend(&out,
                    "<circle cx=\"110\" cy=\"110\" r=\"79\" fill=\"none\" stroke=\"#dfe5ee\" "
                    "stroke-width=\"42\"/></svg>");
    return out;
  }
  double angle = -M_PI / 2;
  for (const auto& s : slices) {
    double v = std::max(0.0, s.value);
    if (v <= 0) continue;
    double sweep = 2 * M_PI * v / total;
    std::string title = absl::StrFormat("%s: %.2f %%", EscapeHtml(s.label), v);
    if (sweep >= 2 * M_PI - 1e-9) {
      absl::StrAppend(&out, "<g><title>", title, "</title><circle cx=\"110\" cy=\"110\" r=\"",
                      (r + inner) / 2, "\" fill=\"none\" stroke=\"", s.color, "\" stroke-width=\"",
                      r - inner, "\"/></g>");
      break;
    }
    double a2 = angle + sweep;
    int large = sweep > M_PI ? 1 : 0;
    absl::StrAppend(
        &out, "<path fill=\"", s.color, "\" stroke=\"#fff\" stroke-width=\"1\" d=\"",
        absl::StrFormat(
            "M%.2f %.2fA%.0f %.0f 0 %d 1 %.2f %.2fL%.2f %.2fA%.0f %.0f 0 %d 0 %.2f %.2fZ",
            cx + r * std::cos(angle), cy + r * std::sin(angle), r, r, large, cx + r * std::cos(a2),
            cy + r * std::sin(a2), cx + inner * std::cos(a2), cy + inner * std::sin(a2), inner,
            inner, large, cx + inner * std::cos(angle), cy + inner * std::sin(angle)),
        "\"><title>", title, "</title></path>");
    angle = a2;
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

std::string StackedBarsSvg(const std::vector<BarSeries>& series, const std::vector<Bar>& bars) {
  const double width = 760, height = 340, left = 44, right = 10, top = 12, bottom = 96;
  double max_total = 1;
  for (const auto& b : bars) {
    double t = 0;
    for (double v : b.values) t += std::max(0.0, v);
    max_total = std::max(max_total, t);
  }
  // An axis maximum whose quarters are whole numbers.
  double unit = std::pow(10, std::floor(std::log10(std::max(1.0, max_total / 4))));
  double axis_max = std::ceil(max_total / (4 * unit)) * 4 * unit;
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
      "aria-label=\"Stacked bar chart\" font-size=\"11\" font-family=\"system-ui,sans-serif\">",
      width, height);
  double plot_h = height - top - bottom, plot_w = width - left - right;
  for (int i = 0; i <= 4; ++i) {
    double y = top + plot_h - plot_h * i / 4;
    absl::StrAppend(&out,
                    absl::StrFormat("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                                    "stroke=\"#c8d1de\" stroke-width=\"0.6\"/>",
                                    left, width - right, y, y),
                    absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                                    "fill=\"#5b6678\">%.0f</text>",
                                    left - 5, y + 4, axis_max * i / 4));
  }
  size_t n = std::max<size_t>(1, bars.size());
  double slot = plot_w / n, bw = std::max(1.0, slot * 0.72);
  size_t label_every = std::max<size_t>(1, n / 12);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double x = left + slot * i + (slot - bw) / 2;
    double y = top + plot_h, total = 0;
    for (double v : b.values) total += std::max(0.0, v);
    absl::StrAppend(&out, "<g><title>", EscapeHtml(b.label));
    for (size_t s = 0; s < series.size() && s < b.values.size(); ++s) {
      absl::StrAppend(&out, "\n", EscapeHtml(series[s].label), ": ",
                      absl::StrFormat("%.0f", b.values[s]));
    }
    absl::StrAppend(&out, "\nTotal: ", absl::StrFormat("%.0f", total), "</title>");
    for (size_t s = 0; s < series.size() && s < b.values.size(); ++s) {
      double h = plot_h * std::max(0.0, b.values[s]) / axis_max;
      if (h <= 0) continue;
      y -= h;
      absl::StrAppend(&out, absl::StrFormat("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                                            "height=\"%.2f\" fill=\"%s\"/>",
                                            x, y, bw, h, series[s].color));
    }
    absl::StrAppend(&out, "</g>");
    if (i % label_every == 0) {
      double lx = x + bw / 2, ly = top + plot_h + 8;
      absl::StrAppend(&out,
                      absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6678\" "
                                      "transform=\"rotate(45 %.1f %.1f)\">",
                                      lx, ly, lx, ly),
                      EscapeHtml(b.label), "</text>");
    }
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

std::string MapSvg(const std::vector<MapPoint>& points) {
  const double w = 720, h = 360;
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
      "aria-label=\"Map of mirror locations\">",
      w, h);
  for (int lon = -180; lon <= 180; lon += 30) {
    double x = (lon + 180) / 360.0 * w;
    absl::StrAppend(&out, absl::StrFormat("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%.0f\" "
                                          "stroke=\"#9fb6cf\" stroke-width=\"%.1f\"/>",
                                          x, x, h, lon == 0 ? 1.0 : 0.4));
  }
  for (int lat = -90; lat <= 90; lat += 30) {
    double y = (90 - lat) / 180.0 * h;
    absl::StrAppend(&out, absl::StrFormat("<line x1=\"0\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" "
                                          "stroke=\"#9fb6cf\" stroke-width=\"%.1f\"/>",
                                          w, y, y, lat == 0 ? 1.0 : 0.4));
  }
  absl::StrAppend(&out, "<path d=\"", WorldOutlinePath(),
                  "\" fill=\"#cfdcea\" stroke=\"#9fb6cf\" stroke-width=\"0.6\" "
                  "stroke-linejoin=\"round\"/>");
  for (const auto& p : points) {
    if (!std::isfinite(p.latitude) || !std::isfinite(p.longitude)) continue;
    double x = (std::clamp(p.longitude, -180.0, 180.0) + 180) / 360.0 * w;
    double y = (90 - std::clamp(p.latitude, -90.0, 90.0)) / 180.0 * h;
    absl::StrAppend(&out, "<a href=\"", EscapeHtml(p.href), "\"><circle cx=\"",
                    absl::StrFormat("%.1f", x), "\" cy=\"", absl::StrFormat("%.1f", y),
                    "\" r=\"4\" fill=\"#3c6eb4\" stroke=\"#fff\" stroke-width=\"1.2\"><title>",
                    EscapeHtml(p.title), "</title></circle></a>");
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

}  // namespace mm::web

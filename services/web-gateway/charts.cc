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
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
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
    absl::StrAppend(&out, "<circle cx=\"110\" cy=\"110\" r=\"79\" fill=\"none\" stroke=\"#dfe5ee\" "
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
                      (r + inner) / 2, "\" fill=\"none\" stroke=\"", s.color,
                      "\" stroke-width=\"", r - inner, "\"/></g>");
      break;
    }
    double a2 = angle + sweep;
    int large = sweep > M_PI ? 1 : 0;
    absl::StrAppend(
        &out, "<path fill=\"", s.color, "\" stroke=\"#fff\" stroke-width=\"1\" d=\"",
        absl::StrFormat("M%.2f %.2fA%.0f %.0f 0 %d 1 %.2f %.2fL%.2f %.2fA%.0f %.0f 0 %d 0 %.2f %.2fZ",
                        cx + r * std::cos(angle), cy + r * std::sin(angle), r, r, large,
                        cx + r * std::cos(a2), cy + r * std::sin(a2), cx + inner * std::cos(a2),
                        cy + inner * std::sin(a2), inner, inner, large,
                        cx + inner * std::cos(angle), cy + inner * std::sin(angle)),
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
    absl::StrAppend(&out, absl::StrFormat("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
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
      absl::StrAppend(&out, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" fill=\"#5b6678\" "
                                            "transform=\"rotate(45 %.1f %.1f)\">",
                                            lx, ly, lx, ly),
                      EscapeHtml(b.label), "</text>");
    }
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

namespace {
// A deliberately rough outline of the continents (equirectangular, 720x360), drawn by hand from
// approximate coastline coordinates: orientation for the mirror dots, not cartography.
constexpr const char* kLand[] = {
    "M24 48 L36 40 L80 40 L110 36 L170 36 L200 34 L236 48 L232 60 L248 76 L228 90 L220 98 L208 110 L198 118 L200 130 L196 124 L192 120 L180 122 L166 126 L166 136 L172 144 L184 138 L186 150 L194 160 L204 164 L200 166 L188 156 L176 152 L150 140 L140 134 L136 122 L130 118 L126 114 L118 110 L112 100 L112 84 L100 72 L86 64 L66 60 L54 66 L40 64 L30 58 L24 48Z"
    "M204 164 L216 156 L236 158 L256 170 L260 180 L290 190 L290 198 L282 208 L278 224 L264 232 L254 246 L244 256 L236 260 L230 270 L224 280 L220 290 L212 284 L212 270 L214 254 L218 240 L220 216 L208 208 L198 190 L200 180 L204 176 L204 164Z"
    "M340 108 L342 94 L356 92 L352 84 L364 78 L370 74 L376 72 L380 66 L370 64 L370 56 L388 44 L410 38 L422 40 L440 46 L448 44 L480 44 L500 34 L520 34 L560 26 L584 32 L620 36 L640 36 L680 40 L700 40 L720 44 L716 52 L686 60 L674 78 L672 66 L646 62 L640 72 L642 88 L630 94 L620 96 L614 102 L612 110 L604 106 L602 118 L600 126 L592 134 L580 138 L576 148 L578 156 L570 162 L560 154 L558 164 L566 178 L562 174 L556 164 L556 148 L548 144 L544 136 L536 136 L520 150 L516 164 L504 140 L494 130 L474 130 L472 126 L464 124 L456 120 L460 130 L472 132 L478 136 L470 146 L450 154 L446 154 L430 124 L430 116 L432 108 L420 106 L414 106 L412 100 L416 98 L420 90 L434 90 L440 86 L430 88 L420 88 L416 92 L406 108 L400 100 L388 98 L396 100 L392 104 L384 92 L376 92 L366 94 L360 102 L350 108 L340 108Z"
    "M326 138 L348 108 L380 106 L382 114 L400 118 L424 118 L430 124 L446 156 L462 156 L460 180 L440 200 L440 212 L430 228 L424 238 L414 248 L400 250 L396 240 L390 234 L384 214 L386 190 L378 182 L378 172 L368 168 L344 172 L334 164 L326 150 L326 138Z"
    "M586 224 L588 232 L590 248 L606 248 L622 242 L634 248 L640 256 L654 256 L660 254 L666 244 L666 230 L652 218 L644 202 L642 214 L632 204 L620 204 L610 210 L604 216 L586 224Z"
    "M214 24 L240 16 L300 14 L320 20 L320 40 L280 50 L274 60 L260 56 L250 44 L240 30 L214 24Z"
    "M350 80 L362 78 L364 74 L356 68 L356 64 L350 64 L348 68 L350 72 L354 74 L350 80Z"
    "M620 118 L624 112 L632 110 L640 108 L644 100 L642 90 L650 92 L640 98 L638 104 L634 106 L626 110 L620 114 L620 118Z"
    "M578 178 L586 172 L594 166 L598 170 L596 178 L592 188 L580 186 L578 178Z"
    "M550 170 L556 172 L568 184 L572 192 L564 188 L550 170Z"
    "M704 248 L710 254 L716 256 L710 262 L702 268 L694 272 L700 266 L706 260 L704 248Z"
    "M448 230 L454 230 L460 210 L458 204 L448 214 L448 230Z"
};
}  // namespace

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
  for (const char* d : kLand) {
    absl::StrAppend(&out, "<path d=\"", d, "\" fill=\"#cfdcea\" stroke=\"#9fb6cf\" stroke-width=\"0.8\"/>");
  }
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

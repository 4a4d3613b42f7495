#pragma once
// Server-side SVG charts (no JavaScript): the statistics doughnut, the propagation stacked bars
// and the mirror map. Every label is XML-escaped here, since these strings bypass the template
// engine. Pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace mm::web {

std::string EscapeHtml(std::string_view s);

struct Slice {
  std::string label;
  double value = 0;
  std::string color;
};
// Percent values; a title per slice gives "label: x %".
std::string DoughnutSvg(const std::vector<Slice>& slices);

struct BarSeries {
  std::string label, color;
};
struct Bar {
  std::string label;            // "YYYY-MM-DD HH:MM"
  std::vector<double> values;   // one per series
};
std::string StackedBarsSvg(const std::vector<BarSeries>& series, const std::vector<Bar>& bars);

struct MapPoint {
  double latitude = 0, longitude = 0;
  std::string title, href;
};
// Equirectangular projection with a graticule.
std::string MapSvg(const std::vector<MapPoint>& points);

// The statistics palette, cycled.
const std::string& PaletteColor(size_t i);

}  // namespace mm::web

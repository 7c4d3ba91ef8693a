// The report's pages: index.html and README.md, the same content (figures, tables, claims verdicts,
// provenance) in HTML and in Markdown.
#include <sstream>

#include "report_internal.hpp"

namespace ropelab::experiments::report_detail {
namespace {

std::string figure_stem(const ExperimentOutput& e) {
  for (const std::string& f : report_figures()) {
    if (f.rfind(e.id + "_", 0) == 0) return f;
  }
  return {};
}

ReportTable claims_table(const PageInputs& in) {
  ReportTable t{.name = "claims", .columns = {"claim", "statement", "expected value", "tolerance", "expected source",
                                              "expect", "verdict", "as expected", "measured"},
                .rows = {}, .meta = {}};
  for (const ClaimResult& c : in.claims) {
    t.rows.push_back({c.claim.id, c.claim.statement, c.expected_text, c.tolerance_text.empty() ? "-" : c.tolerance_text,
                      c.claim.expected_source.text(), to_string(c.claim.expected), to_string(c.verdict),
                      c.as_expected() ? "yes" : "NO", c.measured});
  }
  return t;
}

std::string claims_note(const PageInputs& in) {
  if (in.claims_evaluated) {
    int unexpected = 0;
    for (const ClaimResult& c : in.claims) unexpected += !c.as_expected();
    return std::to_string(in.claims.size()) + " claims evaluated; " + std::to_string(unexpected) +
           " verdicts differ from their expectation.";
  }
  if (!in.claims_error.empty()) return "The claims registry could not be evaluated: " + in.claims_error;
  return "The claims registry was not evaluated (--claims -).";
}

// --- HTML

std::string html_table(const ReportTable& t) {
  std::ostringstream s;
  s << "<table>\n<tr>";
  for (const std::string& c : t.columns) s << "<th>" << html_escape(c) << "</th>";
  s << "</tr>\n";
  for (const auto& row : t.rows) {
    s << "<tr>";
    for (const std::string& v : row) s << "<td>" << html_escape(v) << "</td>";
    s << "</tr>\n";
  }
  s << "</table>\n";
  return s.str();
}

// --- Markdown

std::string md_cell(const std::string& text) {
  std::string cell;
  for (char c : text) {
    if (c == '|') cell += "\\|";
    else if (c == '\n') cell += ' ';
    else cell += c;
  }
  return cell.empty() ? " " : cell;
}

std::string md_table(const ReportTable& t) {
  std::ostringstream s;
  s << '|';
  for (const std::string& c : t.columns) s << ' ' << md_cell(c) << " |";
  s << "\n|";
  for (std::size_t i = 0; i < t.columns.size(); ++i) s << "---|";
  s << '\n';
  for (const auto& row : t.rows) {
    s << '|';
    for (const std::string& v : row) s << ' ' << md_cell(v) << " |";
    s << '\n';
  }
  return s.str();
}

std::string provenance_line(const PageInputs& in) {
  const ReportOptions& o = *in.options;
  return std::string(o.quick ? "Quick report (reduced sizes, for tests)" : "Full report") + "; ropelab " +
         (o.version.empty() ? "unknown" : o.version) + "; seed " + std::to_string(o.seed) +
         ". Provenance (commit, SIMD target, threads, timings) in manifest.json.";
}

}  // namespace

std::string index_html(const PageInputs& in) {
  std::ostringstream s;
  s << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ropelab report</title>\n"
       "<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
       "table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
       "text-align:left}img{max-width:100%}pre{background:#f4f4f4;padding:0.5em;overflow:auto}</style>\n</head>\n"
       "<body>\n<h1>ropelab report</h1>\n<p>"
    << html_escape(provenance_line(in)) << "</p>\n<ul>\n";
  for (const ExperimentOutput& e : in.experiments) {
    s << "<li><a href=\"#" << e.id << "\">" << html_escape(e.title) << "</a></li>\n";
  }
  s << "<li><a href=\"#claims\">Claims verdicts</a></li>\n<li><a href=\"#manifest\">Manifest</a></li>\n</ul>\n";
  for (const ExperimentOutput& e : in.experiments) {
    const std::string fig = figure_stem(e);
    s << "<h2 id=\"" << e.id << "\">" << html_escape(e.title) << "</h2>\n<p>" << html_escape(e.summary) << "</p>\n";
    s << "<p><img src=\"figures/" << fig << ".png\" alt=\"" << html_escape(e.title) << "\"></p>\n"
      << "<p>Figure: <a href=\"figures/" << fig << ".svg\">figures/" << fig << ".svg</a>; data: <a href=\"data/"
      << e.data.name << ".csv\">data/" << e.data.name << ".csv</a> (" << e.data.rows.size() << " rows)</p>\n";
    for (const ReportTable& t : e.page_tables) s << html_table(t);
  }
  s << "<h2 id=\"claims\">Claims verdicts</h2>\n<p>" << html_escape(claims_note(in)) << "</p>\n";
  if (in.claims_evaluated) s << html_table(claims_table(in));
  s << "<h2 id=\"manifest\">Manifest</h2>\n<pre>" << html_escape(in.manifest_json) << "</pre>\n</body>\n</html>\n";
  return s.str();
}

std::string readme_markdown(const PageInputs& in) {
  std::ostringstream s;
  s << "# ropelab report\n\n" << provenance_line(in) << "\n\n";
  for (const ExperimentOutput& e : in.experiments) {
    const std::string fig = figure_stem(e);
    s << "## " << e.title << "\n\n" << e.summary << "\n\n"
      << "![" << e.title << "](figures/" << fig << ".png)\n\n"
      << "Figure: [figures/" << fig << ".svg](figures/" << fig << ".svg); data: [data/" << e.data.name
      << ".csv](data/" << e.data.name << ".csv) (" << e.data.rows.size() << " rows)\n\n";
    for (const ReportTable& t : e.page_tables) s << md_table(t) << '\n';
  }
  s << "## Claims verdicts\n\n" << claims_note(in) << "\n\n";
  if (in.claims_evaluated) s << md_table(claims_table(in)) << '\n';
  s << "## Manifest\n\n```json\n" << in.manifest_json << "\n```\n";
  return s.str();
}

}  // namespace ropelab::experiments::report_detail

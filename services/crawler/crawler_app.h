#pragma once
// mm2_crawler's command line (mm2-backend.md §2.1): group options, then `crawl [--canary]
// [--repodata]` or `propagation [--product P] [--version V]`. Exit codes: 0 success, 1 the
// run failed (global timeout without --no-fail, interrupted, catalog unreachable), 2 usage or
// configuration error.

namespace mm::crawler {

int CrawlerMain(int argc, char** argv);

}  // namespace mm::crawler

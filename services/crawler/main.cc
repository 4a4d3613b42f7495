// mm2_crawler: crawl the public mirrors (see crawler_app.h).
#include "services/crawler/crawler_app.h"

int main(int argc, char** argv) { return mm::crawler::CrawlerMain(argc, argv); }

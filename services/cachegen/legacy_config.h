#pragma once
// Upstream's generate-mirrorlist-cache reads a dotenv file (default
// /etc/mirrormanager/generate-mirrorlist-cache.cfg) with DB_URL=postgres://... . Cron tables
// pass it with -c. Our -c takes mirrormanager2.cfg syntax; when the named file is not that but
// a dotenv file, the generator reads it with these helpers: DB_URL is ignored (only catalog
// talks to the database), KEY=value lines naming our configuration keys are applied.

#include <map>
#include <string>
#include <string_view>

namespace mm::cachegen {

// True when every non-blank, non-comment line is NAME=VALUE (optionally "export NAME=VALUE")
// and at least one such line exists.
bool LooksLikeDotenv(std::string_view text);

// NAME -> VALUE, with surrounding single or double quotes removed. Later lines win.
std::map<std::string, std::string> ParseDotenv(std::string_view text);

}  // namespace mm::cachegen

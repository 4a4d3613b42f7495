#include "tests/unit/netblocks/mrt_writer.h"

#include <arpa/inet.h>
#include <bzlib.h>
#include <zlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mm::netblocks::testing {
namespace {

void Put8(std::string& s, uint8_t v) { s.push_back(static_cast<char>(v)); }
void Put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v));
}
void Put32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(v >> shift));
}
void PutAs(std::string& s, uint32_t as, int as_size) {
  if (as_size == 4) {
    Put32(s, as);
  } else {
    Put16(s, static_cast<uint16_t>(as));
  }
}

void PutAttr(std::string& s, uint8_t flags, uint8_t type, const std::string& value,
             bool extended) {
  if (extended) flags |= 0x10;
  Put8(s, flags);
  Put8(s, type);
  if (extended) {
    Put16(s, static_cast<uint16_t>(value.size()));
  } else {
    Put8(s, static_cast<uint8_t>(value.size()));
  }
  s += value;
}

}  // namespace

std::string EncodeSegments(const std::vector<Segment>& segments, int as_size) {
  std::string out;
  for (const Segment& seg : segments) {
    Put8(out, seg.type);
    Put8(out, static_cast<uint8_t>(seg.ases.size()));
    for (uint32_t as : seg.ases) PutAs(out, as, as_size);
  }
  return out;
}

std::string EncodeAttributes(const Attributes& a, int as_size) {
  std::string out;
  std::string as_path;
  if (a.has_as_path) {
    std::string value = EncodeSegments(a.as_path, as_size);
    PutAttr(as_path, 0x40, 2, value, a.extended_length_as_path || value.size() > 255);
  }
  if (a.as_path_first) out += as_path;
  PutAttr(out, 0x40, 1, std::string(1, static_cast<char>(a.origin)), false);
  if (!a.as_path_first) out += as_path;
  std::string nh;
  Put32(nh, a.next_hop);
  PutAttr(out, 0x40, 3, nh, false);
  if (a.med) {
    std::string med;
    Put32(med, *a.med);
    PutAttr(out, 0x80, 4, med, false);
  }
  if (!a.communities.empty()) {
    std::string c;
    for (uint32_t v : a.communities) Put32(c, v);
    PutAttr(out, 0xC0, 8, c, c.size() > 255);
  }
  if (a.as4_path) {
    std::string value = EncodeSegments(*a.as4_path, 4);
    PutAttr(out, 0xC0, 17, value, value.size() > 255);
  }
  return out;
}

void MrtWriter::Raw(uint16_t type, uint16_t subtype, const std::string& body,
                    std::optional<uint32_t> length) {
  Put32(data_, timestamp_);
  Put16(data_, type);
  Put16(data_, subtype);
  Put32(data_, length.value_or(static_cast<uint32_t>(body.size())));
  data_ += body;
}

void MrtWriter::PeerIndexTable(uint32_t collector_id, const std::string& view_name,
                               const std::vector<Peer>& peers) {
  std::string b;
  Put32(b, collector_id);
  Put16(b, static_cast<uint16_t>(view_name.size()));
  b += view_name;
  Put16(b, static_cast<uint16_t>(peers.size()));
  for (const Peer& p : peers) {
    Put8(b, static_cast<uint8_t>((p.ipv6 ? 1 : 0) | (p.as4 ? 2 : 0)));
    Put32(b, p.bgp_id);
    std::string addr = p.address;
    addr.resize(p.ipv6 ? 16 : 4, '\0');
    b += addr;
    PutAs(b, p.as, p.as4 ? 4 : 2);
  }
  Raw(13, 1, b);
}

void MrtWriter::RibUnicast(bool ipv6, uint32_t sequence, const std::string& prefix,
                           uint8_t length, const std::vector<RibEntry>& entries) {
  std::string b;
  Put32(b, sequence);
  Put8(b, length);
  std::string p = prefix;
  p.resize(ipv6 ? 16 : 4, '\0');
  b += p.substr(0, (length + 7u) / 8u);
  Put16(b, static_cast<uint16_t>(entries.size()));
  for (const RibEntry& e : entries) {
    Put16(b, e.peer_index);
    Put32(b, e.originated);
    std::string attrs = e.raw_attrs.empty() ? EncodeAttributes(e.attrs, 4) : e.raw_attrs;
    Put16(b, static_cast<uint16_t>(attrs.size()));
    b += attrs;
  }
  Raw(13, ipv6 ? 4 : 2, b);
}

void MrtWriter::TableDump(uint16_t subtype, uint16_t sequence, const std::string& prefix,
                          uint8_t length, uint32_t peer_as, const Attributes& attrs) {
  const bool ipv6 = subtype == 2 || subtype == 4;
  const int as_size = subtype >= 3 ? 4 : 2;
  std::string b;
  Put16(b, 0);  // view
  Put16(b, sequence);
  std::string p = prefix;
  p.resize(ipv6 ? 16 : 4, '\0');
  b += p;
  Put8(b, length);
  Put8(b, 1);  // status
  Put32(b, timestamp_);
  b += std::string(ipv6 ? 16 : 4, '\x01');  // peer IP
  PutAs(b, peer_as, as_size);
  std::string a = EncodeAttributes(attrs, as_size);
  Put16(b, static_cast<uint16_t>(a.size()));
  b += a;
  Raw(12, subtype, b);
}

std::string V4(const std::string& text) {
  unsigned char buf[4];
  if (inet_pton(AF_INET, text.c_str(), buf) != 1) throw std::invalid_argument(text);
  return std::string(reinterpret_cast<char*>(buf), 4);
}

std::string V6(const std::string& text) {
  unsigned char buf[16];
  if (inet_pton(AF_INET6, text.c_str(), buf) != 1) throw std::invalid_argument(text);
  return std::string(reinterpret_cast<char*>(buf), 16);
}

std::string Bzip2(const std::string& data, int block_size_100k) {
  unsigned int size = static_cast<unsigned int>(data.size() + data.size() / 100 + 600);
  std::string out(size, '\0');
  int rc = BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(data.data()),
                                    static_cast<unsigned int>(data.size()), block_size_100k, 0, 0);
  if (rc != BZ_OK) throw std::runtime_error("bzip2 failed");
  out.resize(size);
  return out;
}

std::string Gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace mm::netblocks::testing

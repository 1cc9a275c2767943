#include "edge/cache/freshness/structured_dictionary.h"

namespace relais::freshness {
namespace {

bool lcalpha(char c) { return c >= 'a' && c <= 'z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return lcalpha(c) || (c >= 'A' && c <= 'Z'); }

bool tchar(char c) {
  if (alpha(c) || digit(c)) return true;
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return extra.find(c) != std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  std::optional<std::vector<SfMember>> dictionary() {
    std::vector<SfMember> members;
    skip_sp();
    if (done()) return std::nullopt;  // an empty field is ignored, RFC 9213 §2.2
    while (!done()) {
      SfMember m;
      if (!key(m.key)) return std::nullopt;
      if (peek('=')) {
        ++pos_;
        if (peek('(')) return std::nullopt;  // inner list: no directive has one
        if (!bare_item(m)) return std::nullopt;
      }
      if (!parameters()) return std::nullopt;
      std::erase_if(members, [&](const SfMember& old) { return old.key == m.key; });
      members.push_back(std::move(m));
      if (members.size() > kMaxSfMembers) return std::nullopt;
      skip_ows();
      if (done()) break;
      if (!peek(',')) return std::nullopt;
      ++pos_;
      skip_ows();
      if (done()) return std::nullopt;  // trailing comma
    }
    return members;
  }

 private:
  bool done() const { return pos_ >= in_.size(); }
  bool peek(char c) const { return !done() && in_[pos_] == c; }
  void skip_sp() { while (peek(' ')) ++pos_; }
  void skip_ows() { while (peek(' ') || peek('\t')) ++pos_; }

  bool key(std::string& out) {
    if (done() || !(lcalpha(in_[pos_]) || in_[pos_] == '*')) return false;
    while (!done()) {
      const char c = in_[pos_];
      if (!(lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '.' || c == '*')) break;
      out.push_back(c);
      ++pos_;
    }
    return true;
  }

  bool parameters() {
    while (peek(';')) {
      ++pos_;
      skip_sp();
      std::string name;
      if (!key(name)) return false;
      if (peek('=')) {
        ++pos_;
        SfMember ignored;
        if (!bare_item(ignored)) return false;
      }
    }
    return true;
  }

  bool bare_item(SfMember& m) {
    if (done()) return false;
    const char c = in_[pos_];
    if (c == '-' || digit(c)) return number(m);
    if (c == '"') return string(m);
    if (c == '*' || alpha(c)) return token(m);
    if (c == ':') return bytes(m);
    if (c == '?') return boolean(m);
    return false;
  }

  bool number(SfMember& m) {
    // §4.2.4: at most 15 integer digits, at most 12 before and 3 after a dot.
    m.type = SfMember::Type::integer;
    if (peek('-')) m.text.push_back(in_[pos_++]);
    std::size_t digits = 0, before_dot = 0;
    while (!done()) {
      const char c = in_[pos_];
      if (digit(c)) {
        m.text.push_back(c);
        ++digits;
      } else if (c == '.' && m.type == SfMember::Type::integer) {
        if (digits > 12) return false;
        before_dot = digits;
        m.type = SfMember::Type::decimal;
        m.text.push_back(c);
      } else {
        break;
      }
      ++pos_;
    }
    if (digits == 0) return false;
    if (m.type == SfMember::Type::integer) return digits <= 15;
    const std::size_t after = digits - before_dot;
    return before_dot > 0 && after >= 1 && after <= 3;
  }

  bool string(SfMember& m) {
    m.type = SfMember::Type::string;
    ++pos_;
    while (!done()) {
      char c = in_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (done()) return false;
        c = in_[pos_++];
        if (c != '"' && c != '\\') return false;
      } else if (c < 0x20 || c > 0x7e) {
        return false;
      }
      m.text.push_back(c);
    }
    return false;  // unterminated
  }

  bool token(SfMember& m) {
    m.type = SfMember::Type::token;
    while (!done() && (tchar(in_[pos_]) || in_[pos_] == ':' || in_[pos_] == '/')) m.text.push_back(in_[pos_++]);
    return true;
  }

  bool bytes(SfMember& m) {
    m.type = SfMember::Type::bytes;
    ++pos_;
    while (!done() && in_[pos_] != ':') {
      const char c = in_[pos_++];
      if (!(alpha(c) || digit(c) || c == '+' || c == '/' || c == '=')) return false;
      m.text.push_back(c);
    }
    if (done()) return false;
    ++pos_;
    return true;
  }

  bool boolean(SfMember& m) {
    m.type = SfMember::Type::boolean;
    ++pos_;
    if (peek('1')) m.boolean = true;
    else if (peek('0')) m.boolean = false;
    else return false;
    ++pos_;
    return true;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::vector<SfMember>> parse_sf_dictionary(std::string_view value) {
  // §4.2: trailing SP is discarded too before parsing.
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return Parser(value).dictionary();
}

}  // namespace relais::freshness

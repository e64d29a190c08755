// Byte-aligned little-endian writer and reader for the fixed-layout secure
// formats (tokens, handshake datagrams, channel headers). Every read is
// bounds-checked: a short buffer makes the reader fail, never read past the end.
// Both work on caller-owned memory and never allocate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace caseroom::net::secure {

class ByteWriter {
public:
    explicit ByteWriter(std::span<std::uint8_t> out) : out_(out) {}
    bool u8(std::uint8_t v) { return put(&v, 1); }
    bool u32(std::uint32_t v) {
        std::uint8_t b[4];
        for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
        return put(b, 4);
    }
    bool u64(std::uint64_t v) {
        std::uint8_t b[8];
        for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
        return put(b, 8);
    }
    bool bytes(std::span<const std::uint8_t> b) { return put(b.data(), b.size()); }
    bool zeros(std::size_t n) {
        if (n > out_.size() - pos_) { ok_ = false; return false; }
        std::memset(out_.data() + pos_, 0, n);
        pos_ += n;
        return true;
    }
    [[nodiscard]] std::size_t size() const { return pos_; }
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] std::span<std::uint8_t> written() const { return out_.first(pos_); }

private:
    bool put(const std::uint8_t* p, std::size_t n) {
        if (!ok_ || n > out_.size() - pos_) { ok_ = false; return false; }
        if (n) std::memcpy(out_.data() + pos_, p, n);
        pos_ += n;
        return true;
    }
    std::span<std::uint8_t> out_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> in) : in_(in) {}
    bool u8(std::uint8_t& v) { return get(&v, 1); }
    bool u32(std::uint32_t& v) {
        std::uint8_t b[4];
        if (!get(b, 4)) return false;
        v = 0;
        for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(b[i]) << (8 * i);
        return true;
    }
    bool u64(std::uint64_t& v) {
        std::uint8_t b[8];
        if (!get(b, 8)) return false;
        v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(b[i]) << (8 * i);
        return true;
    }
    bool bytes(std::span<std::uint8_t> out) { return get(out.data(), out.size()); }
    // A view of the next n bytes, consumed.
    bool view(std::size_t n, std::span<const std::uint8_t>& out) {
        if (!ok_ || n > in_.size() - pos_) { ok_ = false; return false; }
        out = in_.subspan(pos_, n);
        pos_ += n;
        return true;
    }
    [[nodiscard]] std::size_t left() const { return in_.size() - pos_; }
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] bool atEnd() const { return ok_ && pos_ == in_.size(); }

private:
    bool get(std::uint8_t* p, std::size_t n) {
        if (!ok_ || n > in_.size() - pos_) { ok_ = false; return false; }
        if (n) std::memcpy(p, in_.data() + pos_, n);
        pos_ += n;
        return true;
    }
    std::span<const std::uint8_t> in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

} // namespace caseroom::net::secure

// Bit-packed streams for the wire format (after Glenn Fiedler's serialize).
// Every message has ONE templated `serialize(Stream&)` that is used to write,
// read and measure. Reads are bounds-checked and range-checked: a bad read
// returns false and never touches memory outside the packet, because packet
// data may be malicious. Writes of out-of-range values also return false.
// Bits are packed LSB-first into bytes; a finished stream is padded to a byte.
#pragma once
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace caseroom::net {

constexpr int bitsRequired(std::uint32_t maxValue) { return static_cast<int>(std::bit_width(maxValue)); }

class WriteStream {
public:
    static constexpr bool kWriting = true;
    static constexpr bool kReading = false;

    explicit WriteStream(std::size_t maxBytes = 64 * 1024) : max_(maxBytes) { buf_.reserve(maxBytes < 2048 ? maxBytes : 2048); }

    // Clears contents, keeping capacity (no allocation in the steady state).
    void reset(std::size_t maxBytes) { buf_.clear(); scratch_ = 0; scratchBits_ = 0; bits_ = 0; max_ = maxBytes; overflow_ = false; }

    bool serializeBits(std::uint32_t& value, int n) {
        assert(n >= 0 && n <= 32);
        if (n == 0) return true;
        if (n < 32 && (value >> n) != 0) return false;
        if ((bits_ + static_cast<std::size_t>(n) + 7) / 8 > max_) { overflow_ = true; return false; }
        scratch_ |= static_cast<std::uint64_t>(value) << scratchBits_;
        scratchBits_ += n;
        bits_ += static_cast<std::size_t>(n);
        while (scratchBits_ >= 8) {
            buf_.push_back(static_cast<std::uint8_t>(scratch_));
            scratch_ >>= 8;
            scratchBits_ -= 8;
        }
        return true;
    }
    bool serializeBytes(std::uint8_t* data, std::size_t n) {
        if (scratchBits_ == 0) { // byte-aligned: copy in one go
            if (buf_.size() + n > max_) { overflow_ = true; return false; }
            buf_.insert(buf_.end(), data, data + n);
            bits_ += n * 8;
            return true;
        }
        for (std::size_t i = 0; i < n; ++i) {
            std::uint32_t v = data[i];
            if (!serializeBits(v, 8)) return false;
        }
        return true;
    }
    // Pads with zero bits to the next byte boundary.
    bool align() {
        std::uint32_t zero = 0;
        const int pad = (8 - static_cast<int>(bits_ % 8)) % 8;
        return serializeBits(zero, pad);
    }

    struct Mark { std::size_t bytes; std::uint64_t scratch; int scratchBits; std::size_t bits; };
    [[nodiscard]] Mark mark() const { return Mark{buf_.size(), scratch_, scratchBits_, bits_}; }
    void rewind(const Mark& m) { buf_.resize(m.bytes); scratch_ = m.scratch; scratchBits_ = m.scratchBits; bits_ = m.bits; overflow_ = false; }

    // Flushes the partial byte; the stream stays usable for inspection.
    std::span<const std::uint8_t> finish() {
        if (scratchBits_ > 0) { buf_.push_back(static_cast<std::uint8_t>(scratch_)); scratch_ = 0; scratchBits_ = 0; bits_ = buf_.size() * 8; }
        return {buf_.data(), buf_.size()};
    }
    [[nodiscard]] std::size_t bitsWritten() const { return bits_; }
    [[nodiscard]] std::size_t bytesWritten() const { return (bits_ + 7) / 8; }
    [[nodiscard]] bool overflowed() const { return overflow_; }
    [[nodiscard]] std::size_t capacity() const { return max_; }

private:
    std::vector<std::uint8_t> buf_;
    std::uint64_t scratch_ = 0;
    int scratchBits_ = 0;
    std::size_t bits_ = 0;
    std::size_t max_;
    bool overflow_ = false;
};

class ReadStream {
public:
    static constexpr bool kWriting = false;
    static constexpr bool kReading = true;

    explicit ReadStream(std::span<const std::uint8_t> data) : data_(data) {}

    bool serializeBits(std::uint32_t& value, int n) {
        assert(n >= 0 && n <= 32);
        if (n == 0) { value = 0; return true; }
        if (bits_ + static_cast<std::size_t>(n) > data_.size() * 8) return false;
        while (scratchBits_ < n) {
            scratch_ |= static_cast<std::uint64_t>(data_[pos_++]) << scratchBits_;
            scratchBits_ += 8;
        }
        value = static_cast<std::uint32_t>(scratch_ & ((n == 32) ? 0xFFFFFFFFull : ((1ull << n) - 1)));
        scratch_ >>= n;
        scratchBits_ -= n;
        bits_ += static_cast<std::size_t>(n);
        return true;
    }
    bool serializeBytes(std::uint8_t* data, std::size_t n) {
        if (scratchBits_ == 0 && bits_ % 8 == 0) { // byte-aligned: copy in one go
            if (bits_ + n * 8 > data_.size() * 8) return false;
            if (n) std::memcpy(data, data_.data() + pos_, n);
            pos_ += n;
            bits_ += n * 8;
            return true;
        }
        for (std::size_t i = 0; i < n; ++i) {
            std::uint32_t v = 0;
            if (!serializeBits(v, 8)) return false;
            data[i] = static_cast<std::uint8_t>(v);
        }
        return true;
    }
    // Padding must be zero: a non-zero pad means a corrupt or foreign packet.
    bool align() {
        const int pad = (8 - static_cast<int>(bits_ % 8)) % 8;
        std::uint32_t v = 0;
        return serializeBits(v, pad) && v == 0;
    }
    [[nodiscard]] std::size_t bitsRead() const { return bits_; }
    [[nodiscard]] std::size_t bitsLeft() const { return data_.size() * 8 - bits_; }
    // Bytes after the current (byte-aligned) position.
    [[nodiscard]] std::span<const std::uint8_t> rest() const {
        assert(bits_ % 8 == 0);
        return data_.subspan(bits_ / 8);
    }

private:
    std::span<const std::uint8_t> data_;
    std::uint64_t scratch_ = 0;
    int scratchBits_ = 0;
    std::size_t pos_ = 0;
    std::size_t bits_ = 0;
};

class MeasureStream {
public:
    static constexpr bool kWriting = true; // values flow out of the object, as when writing
    static constexpr bool kReading = false;

    bool serializeBits(std::uint32_t& value, int n) {
        if (n < 32 && (value >> n) != 0) return false;
        bits_ += static_cast<std::size_t>(n);
        return true;
    }
    bool serializeBytes(std::uint8_t*, std::size_t n) { bits_ += n * 8; return true; }
    bool align() { bits_ = (bits_ + 7) / 8 * 8; return true; }
    [[nodiscard]] std::size_t bitsWritten() const { return bits_; }
    [[nodiscard]] std::size_t bytesWritten() const { return (bits_ + 7) / 8; }

private:
    std::size_t bits_ = 0;
};

// ---- Typed helpers shared by every serialize() ----------------------------

template <typename S>
bool serializeUInt(S& s, std::uint32_t& v, std::uint32_t lo, std::uint32_t hi) {
    assert(lo <= hi);
    std::uint32_t rel = 0;
    if constexpr (S::kWriting) {
        if (v < lo || v > hi) return false;
        rel = v - lo;
    }
    if (!s.serializeBits(rel, bitsRequired(hi - lo))) return false;
    if constexpr (S::kReading) {
        if (rel > hi - lo) return false;
        v = lo + rel;
    }
    return true;
}

template <typename S, typename T>
    requires std::is_integral_v<T>
bool serializeInt(S& s, T& v, std::int64_t lo, std::int64_t hi) {
    assert(lo <= hi && hi - lo <= 0xFFFFFFFFll);
    std::uint32_t rel = 0;
    if constexpr (S::kWriting) {
        const auto x = static_cast<std::int64_t>(v);
        if (x < lo || x > hi) return false;
        rel = static_cast<std::uint32_t>(x - lo);
    }
    if (!s.serializeBits(rel, bitsRequired(static_cast<std::uint32_t>(hi - lo)))) return false;
    if constexpr (S::kReading) {
        if (rel > static_cast<std::uint64_t>(hi - lo)) return false;
        v = static_cast<T>(lo + static_cast<std::int64_t>(rel));
    }
    return true;
}

template <typename S>
bool serializeBool(S& s, bool& b) {
    std::uint32_t v = b ? 1u : 0u;
    if (!s.serializeBits(v, 1)) return false;
    if constexpr (S::kReading) b = v != 0;
    return true;
}

template <typename S>
bool serializeU16(S& s, std::uint16_t& v) {
    std::uint32_t x = v;
    if (!s.serializeBits(x, 16)) return false;
    if constexpr (S::kReading) v = static_cast<std::uint16_t>(x);
    return true;
}

template <typename S>
bool serializeU32(S& s, std::uint32_t& v) { return s.serializeBits(v, 32); }

template <typename S>
bool serializeU64(S& s, std::uint64_t& v) {
    std::uint32_t lo = static_cast<std::uint32_t>(v), hi = static_cast<std::uint32_t>(v >> 32);
    if (!s.serializeBits(lo, 32) || !s.serializeBits(hi, 32)) return false;
    if constexpr (S::kReading) v = (static_cast<std::uint64_t>(hi) << 32) | lo;
    return true;
}

// Enums with a `Count` enumerator: values at or above Count are refused.
template <typename S, typename E>
    requires std::is_enum_v<E>
bool serializeEnum(S& s, E& e) {
    constexpr auto kMax = static_cast<std::uint32_t>(E::Count) - 1;
    std::uint32_t v = static_cast<std::uint32_t>(e);
    if (!serializeUInt(s, v, 0, kMax)) return false;
    if constexpr (S::kReading) e = static_cast<E>(v);
    return true;
}

// UTF-8 text of at most maxBytes bytes. Control characters are refused on
// read so that names and codes are always printable.
template <typename S>
bool serializeString(S& s, std::string& str, std::uint32_t maxBytes) {
    std::uint32_t len = static_cast<std::uint32_t>(str.size());
    if (!serializeUInt(s, len, 0, maxBytes)) return false;
    if constexpr (S::kReading) {
        str.assign(len, '\0');
        if (!s.serializeBytes(reinterpret_cast<std::uint8_t*>(str.data()), len)) return false;
        for (unsigned char c : str)
            if (c < 0x20 || c == 0x7F) return false;
        return true;
    } else {
        return s.serializeBytes(reinterpret_cast<std::uint8_t*>(str.data()), len);
    }
}

// A float quantized to a fixed step over [lo, hi]; NaN and infinity refused.
template <typename S>
bool serializeQuantized(S& s, float& f, float lo, float hi, float step) {
    const auto maxQ = static_cast<std::uint32_t>((hi - lo) / step + 0.5f);
    std::uint32_t q = 0;
    if constexpr (S::kWriting) {
        if (!(f >= lo && f <= hi)) return false;
        q = static_cast<std::uint32_t>((f - lo) / step + 0.5f);
        if (q > maxQ) q = maxQ;
    }
    if (!serializeUInt(s, q, 0, maxQ)) return false;
    if constexpr (S::kReading) f = lo + static_cast<float>(q) * step;
    return true;
}

// 16-bit wrapping sequence numbers: `a` is newer than `b` when the forward
// distance from b to a is under half the range.
inline bool seqNewer(std::uint16_t a, std::uint16_t b) {
    return a != b && static_cast<std::uint16_t>(a - b) < 0x8000;
}
// Expands a 16-bit wire sequence to 32 bits using the nearest value to `reference`.
inline std::uint32_t seqExpand(std::uint16_t wire, std::uint32_t reference) {
    const auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(wire - static_cast<std::uint16_t>(reference)));
    const auto r = static_cast<std::int64_t>(reference) + diff;
    return r < 0 ? wire : static_cast<std::uint32_t>(r);
}

} // namespace caseroom::net

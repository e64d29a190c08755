// Wire form of one avatar and its absolute and delta encodings.
// QuantizedAvatar is what a snapshot carries for one participant; it holds
// integers only, so equality is exact and deltas are lossless.
// Two codes of the same fields (PROTOCOL.md "Avatar delta"):
//  - Compact, the snapshots' since protocol 9 (level positions and turns
//    since 10): a leading bit for the common
//    update (only the head turned, the voice level maybe changed) and
//    graded deltas for positions and orientations;
//  - Classic, the snapshots' up to protocol 8 and the recording files'
//    (docs/RECORDING.md: files already written must stay readable).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "net/quantize.h"
#include "net/stream.h"

namespace caseroom::net {

constexpr std::uint32_t kWireStanding = 1023;    // seat field when standing (sim::kNoSeat in the room model)
constexpr std::uint32_t kMaxSeats = 1023;        // seats 0..1022
constexpr std::uint32_t kVoiceLevelMax = 15;     // 4-bit speaking level for the avatar

struct QuantizedAvatar {
    QPosition body;                       // room space, mm
    std::uint32_t yaw = 0;                // body yaw, kYawBits
    QPosition headOffset;                 // head position minus body position, mm
    std::uint32_t head = 0;               // smallest-three head orientation
    bool handsTracked = false;            // VR: hands below are live; desktop: derived by viewers
    QPosition handOffset[2];              // left, right; minus body position, mm
    std::uint32_t hand[2] = {0, 0};       // smallest-three hand orientations
    std::uint32_t seat = kWireStanding;   // seat index or kWireStanding
    std::uint32_t voiceLevel = 0;         // 0 silent .. 15 loud (filled by the voice issue)

    friend bool operator==(const QuantizedAvatar&, const QuantizedAvatar&) = default;
};

namespace detail {
template <typename S>
bool serializePos(S& s, QPosition& p) {
    return serializeInt(s, p.x, kPosXZMin, kPosXZMax) && serializeInt(s, p.y, kPosYMin, kPosYMax) &&
           serializeInt(s, p.z, kPosXZMin, kPosXZMax);
}
template <typename S>
bool serializeOffset(S& s, QPosition& p) {
    return serializeInt(s, p.x, kOffXZMin, kOffXZMax) && serializeInt(s, p.y, kOffYMin, kOffYMax) &&
           serializeInt(s, p.z, kOffXZMin, kOffXZMax);
}

// Position against a baseline: unchanged (1 bit), small delta (+-127 mm per
// axis), or absolute. `absolute` selects the full-range encoder.
// base + d, refused outside the position's (or offset's) quantization bounds.
template <bool kOffsetRange>
bool addPosDelta(QPosition& p, const QPosition& base, const QPosition& d) {
    p = {base.x + d.x, base.y + d.y, base.z + d.z};
    if constexpr (kOffsetRange) return p.x >= kOffXZMin && p.x <= kOffXZMax && p.y >= kOffYMin && p.y <= kOffYMax && p.z >= kOffXZMin && p.z <= kOffXZMax;
    else return p.x >= kPosXZMin && p.x <= kPosXZMax && p.y >= kPosYMin && p.y <= kPosYMax && p.z >= kPosXZMin && p.z <= kPosXZMax;
}

// One of a smallest-three quaternion's three 10-bit components.
inline std::int32_t quatComponent(std::uint32_t v, int i) { return static_cast<std::int32_t>((v >> (20 - 10 * i)) & 0x3FF); }
// base's components + d with base's dropped index; refused when a component leaves 0..1023.
inline bool addQuatDelta(std::uint32_t& q, std::uint32_t base, const std::int32_t (&d)[3]) {
    std::uint32_t r = base & 0xC0000000u;
    for (int i = 0; i < 3; ++i) {
        const std::int32_t c = quatComponent(base, i) + d[i];
        if (c < 0 || c > 0x3FF) return false;
        r |= static_cast<std::uint32_t>(c) << (20 - 10 * i);
    }
    q = r;
    return true;
}

template <typename S, bool kOffsetRange>
bool serializePosDelta(S& s, QPosition& p, const QPosition& base) {
    bool changed = !(p == base);
    if (!serializeBool(s, changed)) return false;
    if (!changed) { if constexpr (S::kReading) p = base; return true; }
    bool small = false;
    QPosition d{};
    if constexpr (S::kWriting) {
        d = {p.x - base.x, p.y - base.y, p.z - base.z};
        small = d.x >= -127 && d.x <= 127 && d.y >= -127 && d.y <= 127 && d.z >= -127 && d.z <= 127;
    }
    if (!serializeBool(s, small)) return false;
    if (small) {
        if (!serializeInt(s, d.x, -127, 127) || !serializeInt(s, d.y, -127, 127) || !serializeInt(s, d.z, -127, 127)) return false;
        if constexpr (S::kReading) return addPosDelta<kOffsetRange>(p, base, d);
        return true;
    }
    if constexpr (kOffsetRange) return serializeOffset(s, p);
    else return serializePos(s, p);
}

// Smallest-three quaternion against a baseline: unchanged, small per-component
// delta with the same dropped index (+-15 steps), or absolute.
template <typename S>
bool serializeQuatDelta(S& s, std::uint32_t& q, std::uint32_t base) {
    bool changed = q != base;
    if (!serializeBool(s, changed)) return false;
    if (!changed) { if constexpr (S::kReading) q = base; return true; }
    std::int32_t d[3] = {0, 0, 0};
    bool small = false;
    if constexpr (S::kWriting) {
        small = (q >> 30) == (base >> 30);
        for (int i = 0; i < 3 && small; ++i) {
            d[i] = quatComponent(q, i) - quatComponent(base, i);
            small = d[i] >= -15 && d[i] <= 15;
        }
    }
    if (!serializeBool(s, small)) return false;
    if (!small) return s.serializeBits(q, 32);
    for (auto& di : d)
        if (!serializeInt(s, di, -15, 15)) return false;
    if constexpr (S::kReading) return addQuatDelta(q, base, d);
    return true;
}

// Compact: a position that differs from its baseline (the caller has said
// so): the smallest of four grades, +-15 mm, +-127 mm, +-2047 mm per axis,
// or absolute; a delta's "level" bit says the height did not change, and
// then only x and z follow (a walker on the floor).
template <typename S, bool kOffsetRange>
bool serializePosGraded(S& s, QPosition& p, const QPosition& base) {
    static constexpr std::int32_t kReach[3] = {15, 127, 2047};
    std::uint32_t grade = 3;
    QPosition d{};
    if constexpr (S::kWriting) {
        d = {p.x - base.x, p.y - base.y, p.z - base.z};
        const std::int32_t m = std::max({std::abs(d.x), std::abs(d.y), std::abs(d.z)});
        grade = m <= kReach[0] ? 0 : m <= kReach[1] ? 1 : m <= kReach[2] ? 2 : 3;
    }
    if (!s.serializeBits(grade, 2)) return false;
    if (grade == 3) {
        if constexpr (kOffsetRange) return serializeOffset(s, p);
        else return serializePos(s, p);
    }
    const std::int32_t r = kReach[grade];
    bool level = d.y == 0;
    if (!serializeBool(s, level)) return false;
    if (!serializeInt(s, d.x, -r, r) || (!level && !serializeInt(s, d.y, -r, r)) || !serializeInt(s, d.z, -r, r)) return false;
    if constexpr (S::kReading) {
        if (level) d.y = 0;
        return addPosDelta<kOffsetRange>(p, base, d);
    }
    return true;
}

// Compact: a smallest-three quaternion that differs from its baseline. The
// same dropped index: each component's change in the smallest of four
// grades (+-7, +-31, +-127 steps, or the three 10-bit components whole);
// another index: all 32 bits.
template <typename S>
bool serializeQuatGraded(S& s, std::uint32_t& q, std::uint32_t base) {
    static constexpr std::int32_t kReach[3] = {7, 31, 127};
    bool same = false;
    std::uint32_t grade = 3;
    std::int32_t d[3] = {0, 0, 0};
    if constexpr (S::kWriting) {
        same = (q >> 30) == (base >> 30);
        std::int32_t m = 0;
        for (int i = 0; i < 3; ++i) {
            d[i] = quatComponent(q, i) - quatComponent(base, i);
            m = std::max(m, std::abs(d[i]));
        }
        grade = m <= kReach[0] ? 0 : m <= kReach[1] ? 1 : m <= kReach[2] ? 2 : 3;
    }
    if (!serializeBool(s, same)) return false;
    if (!same) return s.serializeBits(q, 32);
    if (!s.serializeBits(grade, 2)) return false;
    if (grade == 3) {
        std::uint32_t low = q & 0x3FFFFFFFu;
        if (!s.serializeBits(low, 30)) return false;
        if constexpr (S::kReading) q = (base & 0xC0000000u) | low;
        return true;
    }
    for (auto& di : d)
        if (!serializeInt(s, di, -kReach[grade], kReach[grade])) return false;
    if constexpr (S::kReading) return addQuatDelta(q, base, d);
    return true;
}

// Compact: unchanged (1 bit) or graded.
// The changed bit a delta field starts with: unchanged, the field takes the
// base's value (reading); changed, `value()` writes or reads the new one.
template <typename S, typename T, typename Value>
bool serializeIfChanged(S& s, T& v, const T& base, Value&& value) {
    bool changed = !(v == base);
    if (!serializeBool(s, changed)) return false;
    if (!changed) { if constexpr (S::kReading) v = base; return true; }
    return value();
}

template <typename S, bool kOffsetRange>
bool serializePosCompact(S& s, QPosition& p, const QPosition& base) {
    return serializeIfChanged(s, p, base, [&] { return serializePosGraded<S, kOffsetRange>(s, p, base); });
}
template <typename S>
bool serializeQuatCompact(S& s, std::uint32_t& q, std::uint32_t base) {
    return serializeIfChanged(s, q, base, [&] { return serializeQuatGraded(s, q, base); });
}

template <typename S>
bool serializeYawDelta(S& s, std::uint32_t& yaw, std::uint32_t base) {
    return serializeIfChanged(s, yaw, base, [&] { return serializeUInt(s, yaw, 0, kYawSteps - 1); });
}

// Compact: a yaw that differs from its baseline: a turn of up to 15 steps
// (about 1.3 degrees each) either way, the shorter way round, or the whole
// 12 bits.
template <typename S>
bool serializeYawGraded(S& s, std::uint32_t& yaw, std::uint32_t base) {
    constexpr std::int32_t kTurn = 15;
    constexpr auto kSteps = static_cast<std::int32_t>(kYawSteps);
    std::int32_t d = 0;
    bool small = false;
    if constexpr (S::kWriting) {
        d = static_cast<std::int32_t>(yaw) - static_cast<std::int32_t>(base);
        if (d > kSteps / 2) d -= kSteps;
        if (d < -kSteps / 2) d += kSteps;
        small = d >= -kTurn && d <= kTurn;
    }
    if (!serializeBool(s, small)) return false;
    if (!small) return serializeUInt(s, yaw, 0, kYawSteps - 1);
    if (!serializeInt(s, d, -kTurn, kTurn)) return false;
    if constexpr (S::kReading) {
        if (base >= kYawSteps) return false;
        yaw = static_cast<std::uint32_t>((static_cast<std::int32_t>(base) + d + kSteps) % kSteps);
    }
    return true;
}
template <typename S>
bool serializeYawCompact(S& s, std::uint32_t& yaw, std::uint32_t base) {
    return serializeIfChanged(s, yaw, base, [&] { return serializeYawGraded(s, yaw, base); });
}

template <typename S>
bool serializeSmallField(S& s, std::uint32_t& v, std::uint32_t base, std::uint32_t maxValue) {
    return serializeIfChanged(s, v, base, [&] { return serializeUInt(s, v, 0, maxValue); });
}
} // namespace detail

enum class AvatarCode : std::uint8_t { Compact, Classic };

// Delta encoding of `a` against `base`. With base = QuantizedAvatar{} it is a
// (slightly larger) absolute encoding; the snapshot codec uses it both ways.
template <typename S, AvatarCode kCode = AvatarCode::Compact>
bool serializeAvatarDelta(S& s, QuantizedAvatar& a, const QuantizedAvatar& base) {
    constexpr bool kCompact = kCode == AvatarCode::Compact;
    if constexpr (kCompact) {
        // The common update: a seated or standing participant turned their
        // head (and the voice level may have changed); nothing else did.
        bool headOnly = false;
        if constexpr (S::kWriting) {
            QuantizedAvatar rest = a;
            rest.head = base.head;
            rest.voiceLevel = base.voiceLevel;
            headOnly = a.head != base.head && rest == base;
        }
        if (!serializeBool(s, headOnly)) return false;
        if (headOnly) {
            if constexpr (S::kReading) a = base; // then the head and the voice level over it
            if (!detail::serializeQuatGraded(s, a.head, base.head)) return false;
            return detail::serializeSmallField(s, a.voiceLevel, base.voiceLevel, kVoiceLevelMax);
        }
    }
    auto pos = [&s](QPosition& p, const QPosition& b) {
        if constexpr (kCompact) return detail::serializePosCompact<S, false>(s, p, b);
        else return detail::serializePosDelta<S, false>(s, p, b);
    };
    auto offset = [&s](QPosition& p, const QPosition& b) {
        if constexpr (kCompact) return detail::serializePosCompact<S, true>(s, p, b);
        else return detail::serializePosDelta<S, true>(s, p, b);
    };
    auto quat = [&s](std::uint32_t& q, std::uint32_t b) {
        if constexpr (kCompact) return detail::serializeQuatCompact(s, q, b);
        else return detail::serializeQuatDelta(s, q, b);
    };
    if (!pos(a.body, base.body)) return false;
    if constexpr (kCompact) {
        if (!detail::serializeYawCompact(s, a.yaw, base.yaw)) return false;
    } else if (!detail::serializeYawDelta(s, a.yaw, base.yaw)) {
        return false;
    }
    if (!offset(a.headOffset, base.headOffset)) return false;
    if (!quat(a.head, base.head)) return false;
    if (!serializeBool(s, a.handsTracked)) return false;
    if (a.handsTracked) {
        const bool baseTracked = base.handsTracked;
        for (int h = 0; h < 2; ++h) {
            const QPosition bo = baseTracked ? base.handOffset[h] : QPosition{};
            const std::uint32_t bq = baseTracked ? base.hand[h] : 0u;
            if (!offset(a.handOffset[h], bo)) return false;
            if (!quat(a.hand[h], bq)) return false;
        }
    } else if constexpr (S::kReading) {
        a.handOffset[0] = a.handOffset[1] = QPosition{};
        a.hand[0] = a.hand[1] = 0;
    }
    if (!detail::serializeSmallField(s, a.seat, base.seat, kWireStanding)) return false;
    return detail::serializeSmallField(s, a.voiceLevel, base.voiceLevel, kVoiceLevelMax);
}

} // namespace caseroom::net

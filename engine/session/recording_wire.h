// The avatar bytes of a recording (record/recording.h AvatarSample::state):
// the classic delta code (net/avatar_codec.h AvatarCode::Classic, the
// snapshots' up to protocol 8, kept so that every file stays readable), against the slot's
// previous sample in tick records and against QuantizedAvatar{} (absolute)
// in keyframes and on a participant's first sample after their join or after
// a keyframe (so a replay that starts at a keyframe needs nothing before it). The one place that
// knows both the record and the wire forms of an avatar.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/avatar_codec.h"
#include "net/stream.h"

namespace caseroom::session {

constexpr std::size_t kMaxRecordedAvatarBytes = 64;

// `base` null: absolute.
[[nodiscard]] inline std::vector<std::uint8_t> encodeRecordedAvatar(const net::QuantizedAvatar& a,
                                                                    const net::QuantizedAvatar* base) {
    net::WriteStream w(kMaxRecordedAvatarBytes);
    net::QuantizedAvatar copy = a;
    const net::QuantizedAvatar zero{};
    if (!net::serializeAvatarDelta<net::WriteStream, net::AvatarCode::Classic>(w, copy, base ? *base : zero)) return {};
    const auto bytes = w.finish();
    return {bytes.begin(), bytes.end()};
}

// Decodes against `base` (null: absolute); nullopt for bytes that are not one
// well-formed avatar.
[[nodiscard]] inline std::optional<net::QuantizedAvatar> decodeRecordedAvatar(std::span<const std::uint8_t> bytes,
                                                                             const net::QuantizedAvatar* base) {
    if (bytes.empty() || bytes.size() > kMaxRecordedAvatarBytes) return std::nullopt;
    net::ReadStream r(bytes);
    net::QuantizedAvatar a{};
    const net::QuantizedAvatar zero{};
    if (!net::serializeAvatarDelta<net::ReadStream, net::AvatarCode::Classic>(r, a, base ? *base : zero)) return std::nullopt;
    return a;
}

} // namespace caseroom::session

// [SECTION] colours  [SECTION] room  [SECTION] avatars  [SECTION] panels
// [SECTION] synthetic scene
#include "render/scene.h"

#include <array>
#include <cmath>

#include <glm/gtc/matrix_transform.hpp>

#include "sim/movement.h"

namespace caseroom::render {
namespace {

// [SECTION] colours
constexpr glm::vec3 kFloor{0.56f, 0.50f, 0.43f};
constexpr glm::vec3 kCarpet{0.30f, 0.42f, 0.46f};
constexpr glm::vec3 kWall{0.84f, 0.83f, 0.80f};
constexpr glm::vec3 kFrontWall{0.76f, 0.80f, 0.84f};
constexpr glm::vec3 kTableTop{0.58f, 0.42f, 0.29f};
constexpr glm::vec3 kTableFoot{0.24f, 0.22f, 0.21f};
constexpr glm::vec3 kChairTable{0.20f, 0.22f, 0.27f};
constexpr glm::vec3 kChairAudience{0.33f, 0.35f, 0.40f};
constexpr glm::vec3 kFrame{0.10f, 0.10f, 0.12f};
constexpr glm::vec3 kSkin{0.87f, 0.72f, 0.60f};
constexpr glm::vec3 kVisor{0.08f, 0.09f, 0.12f};
constexpr glm::vec3 kLegs{0.22f, 0.24f, 0.30f};

Instance make(glm::vec3 pos, float yaw, glm::vec3 size, glm::vec3 color) {
    glm::mat4 m = glm::translate(glm::mat4(1.0f), pos);
    if (yaw != 0.0f) m = glm::rotate(m, yaw, glm::vec3(0, 1, 0));
    m = glm::scale(m, size);
    return Instance{m, glm::vec4(color, 1.0f)};
}

Instance makeRotated(glm::vec3 pos, const glm::quat& q, glm::vec3 size, glm::vec3 color) {
    glm::mat4 m = glm::translate(glm::mat4(1.0f), pos) * glm::mat4_cast(q);
    m = glm::scale(m, size);
    return Instance{m, glm::vec4(color, 1.0f)};
}

} // namespace

glm::vec3 roleColor(core::Role role) {
    switch (role) {
    case core::Role::Facilitator: return {0.93f, 0.55f, 0.13f};
    case core::Role::Specialist: return {0.18f, 0.42f, 0.86f};
    case core::Role::Coordinator: return {0.58f, 0.32f, 0.78f};
    case core::Role::Spoke: return {0.22f, 0.66f, 0.34f};
    case core::Role::Observer: return {0.55f, 0.55f, 0.55f};
    case core::Role::Count: break;
    }
    return {1, 0, 1};
}

// [SECTION] room
void appendRoom(const sim::RoomLayout& l, InstanceLists& out) {
    const float hx = l.halfExtents.x, hz = l.halfExtents.y, h = l.height;
    auto& box = out[MeshKind::Box];
    auto& cyl = out[MeshKind::Cylinder];
    const glm::vec3 tc{l.tableCenter.x, 0, l.tableCenter.y};
    const float r = l.tableRadius;
    cyl.push_back(make(tc + glm::vec3(0, 0.004f, 0), 0, {2 * r + 2.6f, 0.008f, 2 * r + 2.6f}, kCarpet));
    cyl.push_back(make(tc + glm::vec3(0, 0.74f, 0), 0, {2 * r, 0.05f, 2 * r}, kTableTop));
    cyl.push_back(make(tc + glm::vec3(0, 0.37f, 0), 0, {0.36f, 0.72f, 0.36f}, kTableFoot));
    cyl.push_back(make(tc + glm::vec3(0, 0.02f, 0), 0, {1.0f, 0.04f, 1.0f}, kTableFoot));

    for (const sim::Seat& s : l.seats) {
        const glm::vec3 p{s.position.x, 0, s.position.y};
        const glm::vec3 fwd = sim::forwardOf(s.yaw);
        const glm::vec3 c = s.atTable ? kChairTable : kChairAudience;
        box.push_back(make(p + glm::vec3(0, 0.45f, 0), s.yaw, {0.46f, 0.06f, 0.46f}, c));
        box.push_back(make(p + glm::vec3(0, 0.75f, 0) - fwd * 0.21f, s.yaw, {0.46f, 0.54f, 0.05f}, c));
        auto& coarse = out[MeshKind::CylinderCoarse];
        coarse.push_back(make(p + glm::vec3(0, 0.22f, 0), 0, {0.06f, 0.42f, 0.06f}, kTableFoot));
        coarse.push_back(make(p + glm::vec3(0, 0.015f, 0), 0, {0.5f, 0.03f, 0.5f}, kTableFoot));
    }
    for (const sim::Panel& pn : l.panels) {
        const glm::vec3 n = panelNormal(pn);
        const float yaw = std::atan2(n.x, n.z); // box z axis along the normal
        box.push_back(make(pn.center + n * 0.01f, yaw, {pn.width + 0.12f, pn.height + 0.12f, 0.04f}, kFrame));
    }
    // Floor and walls last: they cover the most pixels, and drawn last they
    // lose the depth test wherever the furniture already is.
    constexpr float t = 0.1f; // wall thickness
    box.push_back(make({0, -0.05f, 0}, 0, {2 * hx + 2 * t, 0.1f, 2 * hz + 2 * t}, kFloor));
    box.push_back(make({0, h / 2, -hz - t / 2}, 0, {2 * hx + 2 * t, h, t}, kFrontWall));
    box.push_back(make({0, h / 2, hz + t / 2}, 0, {2 * hx + 2 * t, h, t}, kWall));
    box.push_back(make({-hx - t / 2, h / 2, 0}, 0, {t, h, 2 * hz}, kWall));
    box.push_back(make({hx + t / 2, h / 2, 0}, 0, {t, h, 2 * hz}, kWall));
}

// [SECTION] avatars
glm::vec3 nameTagAnchor(const sim::AvatarPose& pose) { return pose.headPosition() + glm::vec3(0, 0.32f, 0); }

glm::vec3 torsoCenter(const sim::AvatarPose& pose) {
    const float top = pose.headPosition().y - 0.2f;
    const float height = pose.seated() ? 0.5f : 0.6f;
    return {pose.body.x, top - height / 2, pose.body.z};
}

void appendAvatar(const AvatarDraw& a, InstanceLists& out, bool detailed) {
    if (a.hidden) return;
    const sim::AvatarPose& p = a.pose;
    auto& box = out[MeshKind::Box];
    auto& sph = out[MeshKind::Sphere];
    const glm::vec3 role = roleColor(a.role);
    const glm::vec3 fwd = sim::forwardOf(p.bodyYaw);
    const glm::vec3 head = p.headPosition();

    // torso: from just under the chin down to the hips (seat height when seated)
    const float top = head.y - 0.2f;
    const float torsoH = p.seated() ? 0.5f : 0.6f;
    const float hips = top - torsoH;
    box.push_back(make({p.body.x, top - torsoH / 2, p.body.z}, p.bodyYaw, {0.42f, torsoH, 0.24f}, role));
    // shoulders: a wider, flatter block in the role colour so the role reads from behind too
    box.push_back(make({p.body.x, top - 0.04f, p.body.z}, p.bodyYaw, {0.50f, 0.08f, 0.26f}, role * 0.85f));

    if (p.seated()) {
        // thighs forward along the seat, shins down to the floor
        box.push_back(make(glm::vec3(p.body.x, hips + 0.06f, p.body.z) + fwd * 0.22f, p.bodyYaw,
                           {0.38f, 0.13f, 0.46f}, kLegs));
        box.push_back(make(glm::vec3(p.body.x, hips / 2, p.body.z) + fwd * 0.42f, p.bodyYaw,
                           {0.36f, hips, 0.12f}, kLegs));
    } else {
        const glm::vec3 right{-fwd.z, 0, fwd.x};
        for (float s : {-1.0f, 1.0f})
            box.push_back(make(glm::vec3(p.body.x, hips / 2, p.body.z) + right * (0.1f * s), p.bodyYaw,
                               {0.15f, hips, 0.16f}, kLegs));
    }

    if (!a.hideHead) {
        (detailed ? sph : out[MeshKind::SphereCoarse])
            .push_back(make(head + glm::vec3(0, 0.03f, 0), 0, {0.24f, 0.28f, 0.25f}, kSkin));
        // visor across the eyes, pushed out along the head's forward axis
        const glm::vec3 headFwd = p.head * glm::vec3(0, 0, -1);
        box.push_back(makeRotated(head + headFwd * 0.11f, p.head, {0.20f, 0.06f, 0.06f}, kVisor));
        // a small nose under the visor: facing reads even at a distance
        box.push_back(makeRotated(head + headFwd * 0.125f - p.head * glm::vec3(0, 0.055f, 0), p.head,
                                  {0.035f, 0.05f, 0.04f}, kSkin * 0.9f));
    }
    for (int side = 0; side < 2; ++side) {
        const sim::HandPose hand = p.handsTracked ? p.hands[side] : sim::restingHand(p, side);
        out[MeshKind::SphereCoarse].push_back(make(p.body + hand.offset, 0, {0.09f, 0.09f, 0.09f}, kSkin));
    }
}

void appendAvatars(std::span<const AvatarDraw> avatars, glm::vec3 eye, InstanceLists& out) {
    constexpr float kDetail2 = kHeadDetailDistance * kHeadDetailDistance;
    for (const AvatarDraw& a : avatars) {
        const glm::vec3 d = a.pose.headPosition() - eye;
        appendAvatar(a, out, glm::dot(d, d) < kDetail2);
    }
}

// [SECTION] panels
glm::vec3 panelNormal(const sim::Panel& panel) {
    glm::vec3 n = sim::forwardOf(panel.yaw);
    // Toward the room's centre (the origin): layouts may give either sign.
    if (n.x * -panel.center.x + n.z * -panel.center.z < 0) n = -n;
    return n;
}

void buildPanelQuads(const sim::RoomLayout& layout, std::vector<Vertex>& out) {
    for (const sim::Panel& p : layout.panels) {
        const glm::vec3 n = panelNormal(p);
        const glm::vec3 up{0, 1, 0};
        const glm::vec3 right = glm::cross(-n, up); // the viewer's right, facing the panel
        const glm::vec3 c = p.center + n * 0.035f;
        const glm::vec3 hr = right * (p.width / 2), hu = up * (p.height / 2);
        const Vertex bl{c - hr - hu, n, {0, 1}}, br{c + hr - hu, n, {1, 1}};
        const Vertex tr{c + hr + hu, n, {1, 0}}, tl{c - hr + hu, n, {0, 0}};
        for (const Vertex& v : {bl, br, tr, bl, tr, tl}) out.push_back(v);
    }
}

std::array<Vertex, 6> faceQuad(const FaceDraw& f) {
    const glm::vec3 fwd = f.orientation * glm::vec3(0, 0, -1);
    const glm::vec3 up = f.orientation * glm::vec3(0, 1, 0);
    const glm::vec3 right = glm::cross(-fwd, up); // the onlooker's right, facing the face
    const float aspect = f.aspect > 0.1f && f.aspect < 10.0f ? f.aspect : 16.0f / 9.0f;
    const glm::vec3 c = f.head + fwd * kFaceForward + glm::vec3(0, 0.03f, 0);
    const glm::vec3 hr = right * (kFaceWidth / 2), hu = up * (kFaceWidth / aspect / 2);
    const Vertex bl{c - hr - hu, fwd, {0, 1}}, br{c + hr - hu, fwd, {1, 1}};
    const Vertex tr{c + hr + hu, fwd, {1, 0}}, tl{c - hr + hu, fwd, {0, 0}};
    return {bl, br, tr, bl, tr, tl};
}

std::optional<glm::vec2> panelHit(const sim::Panel& p, glm::vec3 origin, glm::vec3 direction) {
    const glm::vec3 n = panelNormal(p);
    const glm::vec3 c = p.center + n * 0.035f; // the quad's plane
    const float facing = glm::dot(direction, n);
    if (!(facing < -1e-6f)) return std::nullopt; // parallel, from behind, or NaN
    const float t = glm::dot(c - origin, n) / facing;
    if (!(t > 0.0f)) return std::nullopt;
    const glm::vec3 hit = origin + direction * t - c;
    const glm::vec3 up{0, 1, 0};
    const glm::vec3 right = glm::cross(-n, up);
    const float u = glm::dot(hit, right) / p.width + 0.5f;
    const float v = 0.5f - glm::dot(hit, up) / p.height;
    if (u < 0.0f || u > 1.0f || v < 0.0f || v > 1.0f) return std::nullopt;
    return glm::vec2(u, v);
}

Camera panelCamera(const sim::Panel& p, float aspect, float margin) {
    Camera cam;
    const float t = std::tan(cam.fovY / 2.0f);
    const float a = aspect > 0.0f && std::isfinite(aspect) ? aspect : 1.0f;
    const float d = std::max(p.height / 2.0f / t, p.width / 2.0f / (t * a)) * margin;
    const glm::vec3 n = panelNormal(p);
    const glm::vec3 c = p.center + n * 0.035f;
    return lookAt(c + n * d, c, cam.fovY);
}

// [SECTION] synthetic scene
std::string_view syntheticName(std::uint32_t index) {
    static constexpr std::array<std::string_view, 24> kNames{
        "Dr. Amara Osei", "Dr. Lena Fischer", "Sam Whitehorse, NP", "Dr. Priya Raman", "Tom Okafor, PA",
        "Dr. Elena Ruiz", "Grace Kim, RN", "Dr. Jonas Berg", "Maya Littlefeather", "Dr. Hiro Tanaka",
        "Ada Mensah, NP", "Dr. Omar Haddad", "Lucy Chen, PharmD", "Dr. Noah Levi", "Rosa Alvarez, MA",
        "Dr. Ines Duarte", "Ben Carter, RN", "Dr. Fatima Zahra", "Ivy Nakamura", "Dr. Paul Mwangi",
        "Kai Peters, PA", "Dr. Sofia Rossi", "Eli Brooks, NP", "Dr. Mei Lin"};
    return kNames[index % kNames.size()];
}

std::vector<AvatarDraw> syntheticAvatars(const sim::RoomLayout& layout, std::uint32_t count) {
    std::vector<AvatarDraw> out;
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        AvatarDraw a;
        a.name = syntheticName(i);
        // facilitator first, a few specialists at the table, spokes elsewhere, one coordinator, observers at the back
        if (i == 0) a.role = core::Role::Facilitator;
        else if (i <= 3) a.role = core::Role::Specialist;
        else if (i == 4) a.role = core::Role::Coordinator;
        else if (i % 11 == 10) a.role = core::Role::Observer;
        else a.role = core::Role::Spoke;
        sim::AvatarPose& p = a.pose;
        if (i < layout.seats.size()) {
            const sim::Seat& s = layout.seats[i];
            p.seat = static_cast<std::uint16_t>(i);
            p.body = {s.position.x, 0, s.position.y};
            p.bodyYaw = s.yaw;
        } else {
            // standing rows along the back wall, facing the front
            const std::uint32_t k = i - static_cast<std::uint32_t>(layout.seats.size());
            const std::uint32_t perRow = static_cast<std::uint32_t>(std::max(1.0f, (layout.halfExtents.x * 2 - 1.0f) / 0.7f));
            const float x = -layout.halfExtents.x + 0.6f + static_cast<float>(k % perRow) * 0.7f;
            const float z = layout.halfExtents.y - 0.5f - static_cast<float>(k / perRow) * 0.7f;
            p.body = {x, 0, z};
            p.bodyYaw = 0.0f;
        }
        // Heads turn a little toward the table centre or the front, deterministic per index.
        const float look = 0.35f * std::sin(static_cast<float>(i) * 1.7f);
        sim::poseHead(p, look, -0.1f);
        out.push_back(a);
    }
    return out;
}

} // namespace caseroom::render

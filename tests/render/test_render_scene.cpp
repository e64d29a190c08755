// The renderer's pure parts: cameras, projection and picking, scene
// building and the test card. No GPU.
#include <catch2/catch.hpp>

#include <set>

#include "render/camera.h"
#include "render/meshes.h"
#include "render/scene.h"
#include "render/test_image.h"
#include "sim/layout.h"
#include "sim/movement.h"

using namespace caseroom;
using namespace caseroom::render;

namespace {
const glm::vec2 kView{1280.0f, 720.0f};
}

TEST_CASE("camera: projecting a pixel's ray lands back on that pixel", "[render]") {
    const auto layout = sim::makeLayout(sim::RoomSpec{});
    for (const Camera& cam : {seatCamera(layout, 0), overviewCamera(layout), seatCamera(layout, 20)}) {
        const glm::mat4 vp = viewProjection(cam, kView.x / kView.y);
        for (glm::vec2 px : {glm::vec2(640, 360), glm::vec2(10, 20), glm::vec2(1200, 700)}) {
            const Ray r = pixelRay(cam, px, kView);
            const auto back = projectToPixel(vp, r.origin + r.direction * 5.0f, kView);
            REQUIRE(back.has_value());
            CHECK(back->x == Approx(px.x).margin(0.05));
            CHECK(back->y == Approx(px.y).margin(0.05));
        }
    }
}

TEST_CASE("camera: identity orientation looks along -z like sim's yaw 0", "[render]") {
    Camera c;
    c.eye = {0, 1, 0};
    const Ray r = pixelRay(c, kView / 2.0f, kView);
    CHECK(r.direction.z == Approx(-1.0f));
    const Camera h = headCamera([] {
        sim::AvatarPose p;
        p.bodyYaw = sim::kPi / 2; // facing -x
        sim::poseHead(p, 0, 0);
        return p;
    }());
    const Ray hr = pixelRay(h, kView / 2.0f, kView);
    CHECK(hr.direction.x == Approx(-1.0f).margin(1e-4));
    // Points behind the camera do not project.
    CHECK_FALSE(projectToPixel(viewProjection(c, 1.7f), {0, 1, 5}, kView).has_value());
}

TEST_CASE("picking: clicking on a chair from above picks that seat", "[render]") {
    const auto layout = sim::makeLayout(sim::RoomSpec{});
    const Camera cam = overviewCamera(layout);
    const glm::mat4 vp = viewProjection(cam, kView.x / kView.y);
    for (std::uint16_t i = 0; i < layout.seats.size(); ++i) {
        const glm::vec3 seatTop{layout.seats[i].position.x, 0.45f, layout.seats[i].position.y};
        const auto px = projectToPixel(vp, seatTop, kView);
        REQUIRE(px.has_value());
        const auto picked = pickSeat(layout, pixelRay(cam, *px, kView));
        REQUIRE(picked.has_value());
        CHECK(*picked == i);
    }
    // The table centre is no chair.
    const auto mid = projectToPixel(vp, {layout.tableCenter.x, 0.45f, layout.tableCenter.y}, kView);
    REQUIRE(mid.has_value());
    CHECK_FALSE(pickSeat(layout, pixelRay(cam, *mid, kView)).has_value());
    // Looking at the ceiling picks nothing.
    Ray up;
    up.origin = {0, 1.2f, 0};
    up.direction = {0, 1, 0};
    CHECK_FALSE(pickSeat(layout, up).has_value());
}

TEST_CASE("scene: room pieces follow the layout", "[render]") {
    const auto layout = sim::makeLayout(sim::RoomSpec{});
    InstanceLists lists;
    appendRoom(layout, lists);
    // floor + 4 walls + 2 boxes per chair + a frame per panel
    CHECK(lists[MeshKind::Box].size() == 5 + 2 * layout.seats.size() + layout.panels.size());
    CHECK(lists[MeshKind::CylinderCoarse].size() == 2 * layout.seats.size());
    CHECK(lists[MeshKind::Cylinder].size() == 4); // carpet, top, pedestal, foot
    // Rebuilding after clear() reuses capacity (no allocation in steady state).
    const auto cap = lists[MeshKind::Box].capacity();
    lists.clear();
    appendRoom(layout, lists);
    CHECK(lists[MeshKind::Box].capacity() == cap);
}

TEST_CASE("scene: panels face into the room whatever the layout's yaw sign", "[render]") {
    const auto layout = sim::makeLayout(sim::RoomSpec{});
    REQUIRE(layout.panels.size() >= 4);
    for (const auto& p : layout.panels) {
        const glm::vec3 n = panelNormal(p);
        CHECK(glm::dot(n, -p.center) > 0.0f);
        CHECK(n.y == 0.0f);
    }
    std::vector<Vertex> quads;
    buildPanelQuads(layout, quads);
    CHECK(quads.size() == 6 * layout.panels.size());
    // CCW seen from the room: the triangle normal agrees with the panel normal.
    for (std::size_t i = 0; i < quads.size(); i += 3) {
        const glm::vec3 n = glm::cross(quads[i + 1].position - quads[i].position, quads[i + 2].position - quads[i].position);
        CHECK(glm::dot(n, quads[i].normal) > 0.0f);
    }
}

TEST_CASE("scene: avatar parts, hidden heads and resting hands", "[render]") {
    const auto layout = sim::makeLayout(sim::RoomSpec{});
    auto avatars = syntheticAvatars(layout, 3);
    InstanceLists lists;
    appendAvatar(avatars[0], lists);
    const std::size_t full = lists.total();
    CHECK(full == 9); // torso, shoulders, 2 leg parts, head, visor, nose, 2 hands
    CHECK(lists[MeshKind::SphereCoarse].size() == 2);
    lists.clear();
    avatars[0].hideHead = true;
    appendAvatar(avatars[0], lists);
    CHECK(lists.total() == full - 3);
    lists.clear();
    avatars[0].hidden = true;
    appendAvatar(avatars[0], lists);
    CHECK(lists.total() == 0);
    // Torso colour is the role colour.
    lists.clear();
    appendAvatar(avatars[1], lists);
    CHECK(glm::vec3(lists[MeshKind::Box][0].color) == roleColor(avatars[1].role));
}

TEST_CASE("scene: synthetic avatars are deterministic and fill seats first", "[render]") {
    const auto layout = sim::makeLayout(sim::RoomSpec{});
    const auto a = syntheticAvatars(layout, 200);
    const auto b = syntheticAvatars(layout, 200);
    REQUIRE(a.size() == 200);
    std::set<std::uint16_t> seats;
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].pose.body == b[i].pose.body);
        CHECK(a[i].name == b[i].name);
        if (i < layout.seats.size()) {
            CHECK(a[i].pose.seat == i);
            seats.insert(a[i].pose.seat);
        } else {
            CHECK_FALSE(a[i].pose.seated());
            CHECK(layout.insideWalls({a[i].pose.body.x, a[i].pose.body.z}, 0.0f));
        }
    }
    CHECK(seats.size() == layout.seats.size());
    CHECK(a[0].role == core::Role::Facilitator);
}

TEST_CASE("scene: role colours are distinct", "[render]") {
    for (int i = 0; i < static_cast<int>(core::Role::Count); ++i)
        for (int j = i + 1; j < static_cast<int>(core::Role::Count); ++j)
            CHECK(glm::length(roleColor(core::Role(i)) - roleColor(core::Role(j))) > 0.2f);
}

TEST_CASE("meshes: unit meshes are closed, in range and wound outward", "[render]") {
    const MeshSet m = buildUnitMeshes();
    for (std::size_t k = 0; k < kMeshKinds; ++k) {
        const MeshRange& r = m.ranges[k];
        REQUIRE(r.indexCount % 3 == 0);
        REQUIRE(r.indexCount > 0);
        for (std::uint32_t i = r.firstIndex; i < r.firstIndex + r.indexCount; i += 3) {
            const glm::vec3 a = m.vertices[m.indices[i]].position, b = m.vertices[m.indices[i + 1]].position,
                            c = m.vertices[m.indices[i + 2]].position;
            for (const glm::vec3& p : {a, b, c}) CHECK(glm::all(glm::lessThanEqual(glm::abs(p), glm::vec3(0.5001f))));
            const glm::vec3 n = glm::cross(b - a, c - a);
            if (glm::length(n) < 1e-7f) continue; // sphere poles
            CHECK(glm::dot(n, (a + b + c) / 3.0f) > 0.0f); // convex, centred: outward
        }
    }
}

TEST_CASE("test card: size, border and one dot more per panel", "[render]") {
    const RgbaImage a = makeTestCard(160, 90, 0);
    const RgbaImage b = makeTestCard(160, 90, 3);
    REQUIRE(a.pixels.size() == 160u * 90u * 4u);
    CHECK(a.pixels[0] == 255);
    CHECK(a.pixels != b.pixels);
    CHECK(makeTestCard(160, 90, 3).pixels == b.pixels);
}

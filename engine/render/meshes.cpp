#include "render/meshes.h"

#include <cmath>

namespace caseroom::render {

const char* toString(MeshKind k) {
    switch (k) {
    case MeshKind::Box: return "box";
    case MeshKind::Cylinder: return "cylinder";
    case MeshKind::CylinderCoarse: return "cylinder (coarse)";
    case MeshKind::Sphere: return "sphere";
    case MeshKind::SphereCoarse: return "sphere (coarse)";
    case MeshKind::Count: break;
    }
    return "?";
}

namespace {

constexpr float kTau = 6.28318530718f;

// Appends a quad a,b,c,d (CCW seen from the side `n` points to).
void quad(MeshSet& m, glm::vec3 a, glm::vec3 b, glm::vec3 c, glm::vec3 d, glm::vec3 n) {
    const auto base = static_cast<std::uint32_t>(m.vertices.size());
    m.vertices.push_back({a, n, {0, 1}});
    m.vertices.push_back({b, n, {1, 1}});
    m.vertices.push_back({c, n, {1, 0}});
    m.vertices.push_back({d, n, {0, 0}});
    for (std::uint32_t i : {0u, 1u, 2u, 0u, 2u, 3u}) m.indices.push_back(base + i);
}

void box(MeshSet& m) {
    const float h = 0.5f;
    quad(m, {-h, -h, h}, {h, -h, h}, {h, h, h}, {-h, h, h}, {0, 0, 1});       // +z
    quad(m, {h, -h, -h}, {-h, -h, -h}, {-h, h, -h}, {h, h, -h}, {0, 0, -1});  // -z
    quad(m, {h, -h, h}, {h, -h, -h}, {h, h, -h}, {h, h, h}, {1, 0, 0});       // +x
    quad(m, {-h, -h, -h}, {-h, -h, h}, {-h, h, h}, {-h, h, -h}, {-1, 0, 0});  // -x
    quad(m, {-h, h, h}, {h, h, h}, {h, h, -h}, {-h, h, -h}, {0, 1, 0});       // +y
    quad(m, {-h, -h, -h}, {h, -h, -h}, {h, -h, h}, {-h, -h, h}, {0, -1, 0});  // -y
}

void cylinder(MeshSet& m, int segments) {
    const float r = 0.5f, h = 0.5f;
    for (int i = 0; i < segments; ++i) {
        const float a0 = kTau * static_cast<float>(i) / static_cast<float>(segments);
        const float a1 = kTau * static_cast<float>(i + 1) / static_cast<float>(segments);
        const glm::vec3 p0{std::sin(a0) * r, 0, std::cos(a0) * r};
        const glm::vec3 p1{std::sin(a1) * r, 0, std::cos(a1) * r};
        // side: smooth normals
        const auto base = static_cast<std::uint32_t>(m.vertices.size());
        m.vertices.push_back({p0 + glm::vec3(0, -h, 0), glm::normalize(p0), {0, 1}});
        m.vertices.push_back({p1 + glm::vec3(0, -h, 0), glm::normalize(p1), {1, 1}});
        m.vertices.push_back({p1 + glm::vec3(0, h, 0), glm::normalize(p1), {1, 0}});
        m.vertices.push_back({p0 + glm::vec3(0, h, 0), glm::normalize(p0), {0, 0}});
        for (std::uint32_t k : {0u, 1u, 2u, 0u, 2u, 3u}) m.indices.push_back(base + k);
        // caps: fans from the centre
        const auto top = static_cast<std::uint32_t>(m.vertices.size());
        m.vertices.push_back({{0, h, 0}, {0, 1, 0}, {0.5f, 0.5f}});
        m.vertices.push_back({p0 + glm::vec3(0, h, 0), {0, 1, 0}, {0, 0}});
        m.vertices.push_back({p1 + glm::vec3(0, h, 0), {0, 1, 0}, {1, 0}});
        for (std::uint32_t k : {0u, 1u, 2u}) m.indices.push_back(top + k);
        const auto bottom = static_cast<std::uint32_t>(m.vertices.size());
        m.vertices.push_back({{0, -h, 0}, {0, -1, 0}, {0.5f, 0.5f}});
        m.vertices.push_back({p1 + glm::vec3(0, -h, 0), {0, -1, 0}, {1, 1}});
        m.vertices.push_back({p0 + glm::vec3(0, -h, 0), {0, -1, 0}, {0, 1}});
        for (std::uint32_t k : {0u, 1u, 2u}) m.indices.push_back(bottom + k);
    }
}

void sphere(MeshSet& m, int rings, int segments) {
    const auto base = static_cast<std::uint32_t>(m.vertices.size());
    for (int r = 0; r <= rings; ++r) {
        const float v = static_cast<float>(r) / static_cast<float>(rings);
        const float phi = v * kTau * 0.5f; // 0 at the top
        for (int s = 0; s <= segments; ++s) {
            const float u = static_cast<float>(s) / static_cast<float>(segments);
            const float th = u * kTau;
            const glm::vec3 n{std::sin(phi) * std::sin(th), std::cos(phi), std::sin(phi) * std::cos(th)};
            m.vertices.push_back({n * 0.5f, n, {u, v}});
        }
    }
    const auto stride = static_cast<std::uint32_t>(segments + 1);
    for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(rings); ++r)
        for (std::uint32_t s = 0; s < static_cast<std::uint32_t>(segments); ++s) {
            const std::uint32_t a = base + r * stride + s, b = a + stride;
            for (std::uint32_t k : {a, b, b + 1, a, b + 1, a + 1}) m.indices.push_back(k);
        }
}

} // namespace

MeshSet buildUnitMeshes() {
    MeshSet m;
    auto record = [&](MeshKind k, auto&& build) {
        MeshRange& range = m.ranges[static_cast<std::size_t>(k)];
        range.firstIndex = static_cast<std::uint32_t>(m.indices.size());
        const auto firstVertex = m.vertices.size();
        build();
        // indices are absolute; vertexOffset stays 0 for one shared buffer
        range.vertexOffset = 0;
        range.indexCount = static_cast<std::uint32_t>(m.indices.size()) - range.firstIndex;
        (void)firstVertex;
    };
    record(MeshKind::Box, [&] { box(m); });
    record(MeshKind::Cylinder, [&] { cylinder(m, 40); });
    record(MeshKind::CylinderCoarse, [&] { cylinder(m, 10); });
    record(MeshKind::Sphere, [&] { sphere(m, 7, 10); });
    record(MeshKind::SphereCoarse, [&] { sphere(m, 4, 5); });
    return m;
}

} // namespace caseroom::render

#version 450
// Lit, instanced geometry: every room piece and avatar part is a unit mesh
// (box, cylinder, sphere) placed by a per-instance model matrix and coloured
// per instance. Matrices hold rotation and scale only (no shear), so the
// normal transform is M * (n / s^2) with s the column lengths.
layout(push_constant) uniform Push {
    mat4 viewProj;
    vec4 lightDir;   // xyz: direction toward the light, world space
    vec4 eye;        // xyz: camera position
} pc;

layout(location = 0) in vec3 inPos;
layout(location = 1) in vec3 inNormal;
layout(location = 3) in vec4 iModel0;
layout(location = 4) in vec4 iModel1;
layout(location = 5) in vec4 iModel2;
layout(location = 6) in vec4 iModel3;
layout(location = 7) in vec4 iColor;

layout(location = 0) out vec3 vNormal;
layout(location = 1) out vec4 vColor;
layout(location = 2) out vec3 vWorld;

void main() {
    mat4 model = mat4(iModel0, iModel1, iModel2, iModel3);
    vec4 world = model * vec4(inPos, 1.0);
    vec3 s2 = vec3(dot(iModel0.xyz, iModel0.xyz), dot(iModel1.xyz, iModel1.xyz), dot(iModel2.xyz, iModel2.xyz));
    vNormal = mat3(model) * (inNormal / max(s2, vec3(1e-8)));
    vColor = iColor;
    vWorld = world.xyz;
    gl_Position = pc.viewProj * world;
}

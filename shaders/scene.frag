#version 450
// Simple lighting: a hemisphere ambient plus one directional light, with a
// faint distance falloff so far walls read as further away.
layout(push_constant) uniform Push {
    mat4 viewProj;
    vec4 lightDir;
    vec4 eye;
} pc;

layout(location = 0) in vec3 vNormal;
layout(location = 1) in vec4 vColor;
layout(location = 2) in vec3 vWorld;
layout(location = 0) out vec4 outColor;

void main() {
    vec3 n = normalize(vNormal);
    float hemi = 0.55 + 0.25 * n.y;
    float diffuse = max(dot(n, normalize(pc.lightDir.xyz)), 0.0) * 0.45;
    float dist = length(pc.eye.xyz - vWorld);
    float fade = clamp(1.0 - dist * 0.012, 0.8, 1.0);
    outColor = vec4(vColor.rgb * (hemi + diffuse) * fade, vColor.a);
}

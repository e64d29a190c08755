#version 450
// Wall panels: world-space quads (built once per layout) sampling the panel's
// own texture, so slides and video can replace one panel's image alone.
layout(push_constant) uniform Push {
    mat4 viewProj;
    vec4 lightDir;
    vec4 eye;
} pc;

layout(location = 0) in vec3 inPos;
layout(location = 2) in vec2 inUv;
layout(location = 0) out vec2 vUv;

void main() {
    vUv = inUv;
    gl_Position = pc.viewProj * vec4(inPos, 1.0);
}

"""A repository of cc_library wrappers around Debian's system libraries.

Each library's link flags come from pkg-config when the repository is
fetched, so BUILD files say `@system//:rocksdb` instead of copying flag
lists. Headers live in /usr/include, which the auto-configured C++
toolchain already searches.
"""

def _pkg_config(ctx, modules):
    result = ctx.execute(["pkg-config", "--libs"] + modules.split(" "))
    if result.return_code != 0:
        fail("pkg-config --libs %s failed (run tools/install-deps.sh): %s" %
             (modules, result.stderr))
    flags = []
    for flag in result.stdout.strip().split(" "):
        if flag and flag not in flags:
            flags.append(flag)
    return flags

def _system_libs_impl(ctx):
    lines = ['package(default_visibility = ["//visibility:public"])', ""]
    for name, modules in sorted(ctx.attr.libraries.items()):
        linkopts = _pkg_config(ctx, modules) + ctx.attr.extra_linkopts.get(name, [])
        lines.append("cc_library(")
        lines.append("    name = %r," % name)
        lines.append("    linkopts = %r," % linkopts)
        lines.append(")")
        lines.append("")
    ctx.file("WORKSPACE", "workspace(name = %r)\n" % ctx.name)
    ctx.file("BUILD.bazel", "\n".join(lines))

system_libs = repository_rule(
    implementation = _system_libs_impl,
    attrs = {
        "libraries": attr.string_dict(doc = "target name -> pkg-config modules"),
        "extra_linkopts": attr.string_list_dict(doc = "target name -> more flags"),
    },
    local = True,
)

"""C++ code generation for .proto files with the system protoc and gRPC plugin."""

def mfr_cc_proto_library(name, srcs, deps = [], grpc = False, **kwargs):
    """Generates C++ (and optionally gRPC) code for srcs and wraps it in a cc_library.

    Args:
      name: the cc_library's name.
      srcs: .proto files in this package, imported as paths relative to it.
      deps: other mfr_cc_proto_library targets whose .proto files srcs import.
      grpc: whether to generate gRPC service stubs too.
      **kwargs: passed to the cc_library (e.g. visibility).
    """
    pkg = native.package_name()
    stems = [s[:-len(".proto")] for s in srcs]
    outs = [s + ".pb.h" for s in stems] + [s + ".pb.cc" for s in stems]
    if grpc:
        outs += [s + ".grpc.pb.h" for s in stems] + [s + ".grpc.pb.cc" for s in stems]
    plugin = ""
    if grpc:
        plugin = " --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=$(GENDIR)/" + pkg
    native.genrule(
        name = name + "_codegen",
        srcs = srcs + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = ("/usr/bin/protoc --proto_path=" + pkg + " --proto_path=/usr/include" +
               " --cpp_out=$(GENDIR)/" + pkg + plugin + " " +
               " ".join([pkg + "/" + s for s in srcs])),
    )
    native.filegroup(name = name + "_srcs", srcs = srcs + [d + "_srcs" for d in deps])
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        includes = ["."],
        deps = deps + ["@system//:protobuf"] + (["@system//:grpc++"] if grpc else []),
        **kwargs
    )

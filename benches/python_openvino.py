"""Python OpenVINO's round trip on the same models, inputs and properties as
`cargo bench -p openvino` (write the input, infer, read the output). Prints
`bench <model> python <median ns>`. Run by scripts/bench with upstream/venv's Python."""

import sys
import time

import numpy as np
import openvino as ov

fixtures = sys.argv[1]
quick = "--quick" in sys.argv
core = ov.Core()
props = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
for name, samples in (("tiny", 20000), ("pp_ocr_cls_ir", 300)):
    if quick:
        samples = 20
    model = core.read_model(f"{fixtures}/{'tiny' if name == 'tiny' else 'pp_ocr_cls'}.xml")
    compiled = core.compile_model(model, "CPU", props)
    request = compiled.create_infer_request()
    in_name = "tiny/0_in_x.bin" if name == "tiny" else "pp_ocr_cls_ir/upright_in_x.bin"
    shape = (1, 16) if name == "tiny" else (1, 3, 48, 192)
    data = np.fromfile(f"{fixtures}/{in_name}", dtype=np.float32).reshape(shape)
    # Models with dynamic inputs (PP-OCR's width) need an input tensor of a concrete shape.
    request.set_input_tensor(0, ov.Tensor(ov.Type.f32, ov.Shape(list(shape))))
    out = None

    def round_trip():
        global out
        request.get_input_tensor(0).data[:] = data
        request.infer()
        out = request.get_output_tensor(0).data.copy()

    for _ in range(samples // 10 + 10):
        round_trip()
    times = []
    for _ in range(samples):
        t = time.perf_counter_ns()
        round_trip()
        times.append(time.perf_counter_ns() - t)
    times.sort()
    print(f"bench {name} python {times[len(times) // 2]}")

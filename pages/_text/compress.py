"""Strings of the Compression page."""

EN = {
    "compress.title": "Compression",
    "compress.heading": "Compression lab: what the bottleneck keeps, and what it costs in bytes",
    "compress.intro": (
        "An autoencoder squeezes every image through a narrow middle: a code of z numbers. The narrower the "
        "middle, the more the network has to rank what it keeps and drop the rest. Here the same images pass "
        "through models with z from 1 to 64, beside PCA with as many components (the linear way to keep z "
        "numbers), and beside JPEG, WebP, PNG and gzip at the same number of bytes."),
    "compress.zip": "Is this the same as zip?",
    "compress.zip_text": (
        "**No.** zip, gzip and PNG give back every pixel exactly and work on any file: they only find patterns "
        "that repeat. An autoencoder learns what images of one kind have in common, keeps that in z, and drops "
        "the details it cannot afford: the copy is close, not exact, and it only works on images like the ones "
        "it was trained on.\n\n"
        "**Its decoder is shared knowledge.** Whoever receives the codes must already have the decoder, as a "
        "JPEG reader already knows how to read JPEG. So its weights are counted once, not per image (the "
        "*Bytes, honestly* section says how much they are).\n\n"
        "**So:** use zip when you only want smaller files. The bottleneck shows what matters in the data: what "
        "a narrow code keeps first is what the network found most important."),
    "compress.dataset": "Dataset",
    "compress.no_sweep": "No sweep family is shipped for any dataset: run `make checkpoints` (it calls "
                         "checkpoints/make_sweep.sh, which trains dense and convolutional models at z = 1 to 64).",
    "compress.missing": "Not shipped (yet): {which}. The page uses the models that are there.",
    "compress.missing_item": "{family} z = {zs}",
    "compress.measured": "Measured on {n:,} of the {total:,} test images (a fixed subset, the same for every method "
                         "and every model); PCA and the 8-bit ranges are fitted on {train:,} training images.",
    "compress.mnist_note": "MNIST here is the offline subset of 5,000 real digits: treat its figures as indicative.",
    "compress.family.dense": "dense AE",
    "compress.family.conv": "convolutional AE",
    "compress.family.pca": "PCA (k = z)",
    "compress.family.yours": "your sweep (dense)",
    "compress.axis_z": "z (numbers in the code)",
    # the sweep
    "compress.sweep": "The sweep: quality against z",
    "compress.sweep_intro": (
        "Each point is one shipped model with a code of z numbers (the dense one is the lesson's 784-128-64-z), "
        "measured on the same test images. The dashed line is PCA keeping k = z components: the best any "
        "linear code of that size can do. Where an autoencoder's line rises above PCA's, the nonlinear model "
        "earns its keep; where the lines come together, a wider code no longer needs it."),
    "compress.paying": "**{family}:** its largest lead over PCA is at z = {z} ({db} dB).",
    "compress.caught": "From z = {z} on, PCA is as good or better: there the nonlinear model no longer pays.",
    "compress.not_caught": "It stays ahead up to z = {z}, the widest code measured.",
    "compress.what": "Measure",
    "compress.what.psnr": "PSNR (dB, higher is better)",
    "compress.what.mse": "MSE (lower is better)",
    "compress.computing_curves": "Measuring every model of the sweep on {n:,} test images (once per dataset)…",
    "compress.knn": "How much meaning the code keeps",
    "compress.knn_axis": "k-NN accuracy",
    "compress.knn_caption": (
        "The share of test images whose class a vote of their 5 nearest codes gets right (cross-validated). "
        "The code was never told the classes: what it keeps about them, it kept because it helps to restore "
        "the image."),
    "compress.per_class": "Which classes lose first",
    "compress.per_class_family": "Model",
    "compress.per_class_caption": (
        "Mean PSNR of each class's test images at each z (yellow: best; dark: worst). Read each row from right "
        "to left: as z shrinks, the classes whose colour darkens first lose their details first."),
    # what goes first
    "compress.first": "What goes first",
    "compress.first_intro": (
        "The same 8 images pass through every model of one family. Move z and watch the reconstructions and "
        "their errors: at small z only a rough shape survives, the class's typical look; the details of "
        "this one image come back as z grows."),
    "compress.source": "Images",
    "compress.source.classes": "one per class",
    "compress.source.random": "random",
    "compress.source.upload": "upload",
    "compress.source.draw": "draw",
    "compress.other_images": "Other images",
    "compress.yours_first": "Your image is the first of the 8.",
    "compress.upload_help": "Prepared like the dataset's images: grey, light strokes on a dark background, cropped "
                            "and centred in 28x28.",
    "compress.draw_hint": "Draw in the black square with the mouse (the bin icon clears it).",
    "compress.family": "Model",
    "compress.z": "z (numbers in the code)",
    "compress.row.original": "the 8 images",
    "compress.row.recon": "reconstructed from z = {z} numbers",
    "compress.row.error": "the error |x̂ − x|",
    "compress.at_z_caption": (
        "Mean PSNR at z = {z}: {psnr} dB; per image, left to right: {each}. Errors: black is exact, yellow the "
        "largest error at any z of this family (the same colour scale as the picture below)."),
    "compress.every_z": "At every z",
    "compress.row.originals": "the 8 images",
    "compress.row.z": "z = {z}",
    "compress.every_z_caption": "In each z row: the 8 reconstructions on the left, their errors on the right.",
    # bytes
    "compress.bytes": "Bytes, honestly",
    "compress.bytes_intro": (
        "Now count bytes per image. A code is z numbers, each stored in 32, 16 or 8 bits (8 bits: each number "
        "rounded to one of 256 steps between its smallest and largest value on the training images). PCA's k "
        "coefficients are stored the same ways. JPEG and WebP run across their whole quality range. PNG and "
        "gzip keep every pixel exactly: they are the dotted vertical lines, the price of an exact copy."),
    "compress.computing_bytes": "Compressing {n:,} test images with every method (once per dataset; JPEG and WebP "
                                "are kept on disk)…",
    "compress.bits_shown": "Codes and PCA coefficients stored in",
    "compress.bits": "{b} bits",
    "compress.amortise": "Add the shared bytes, spread over the test split",
    "compress.amortise_help": (
        "Bytes that every image shares: the decoder's weights (autoencoder), the basis and mean (PCA), the "
        "tables (JPEG counted without them), the 8-bit ranges. Spread over the {total:,} test images, each "
        "point moves right by its share."),
    "compress.fam.pca": "PCA",
    "compress.fam.jpeg": "JPEG (whole file)",
    "compress.fam.jpeg-image": "JPEG (image stream, tables set aside)",
    "compress.fam.jpeg-scan": "JPEG (entropy-coded data only)",
    "compress.fam.webp": "WebP",
    "compress.fam.webp-vp8": "WebP (VP8 frame)",
    "compress.fam.png": "PNG",
    "compress.fam.gzip": "gzip",
    "compress.fam.gzip-split": "gzip (the whole split as one file)",
    "compress.fam.raw": "raw pixels",
    "compress.x_bytes": "bytes per image (log scale)",
    "compress.x_bytes_total": "bytes per image, shared bytes included (log scale)",
    "compress.exact": "exact copy",
    "compress.verdict": "At {budget} bytes per image or fewer",
    "compress.best_ae": "Best autoencoder",
    "compress.over_pca": "Ahead of PCA",
    "compress.over_codec": "Ahead of JPEG/WebP",
    "compress.best_help": "{family}, {setting}: {bytes} bytes per image.",
    "compress.no_codec": "none fits",
    "compress.no_codec_help": "No JPEG or WebP file is that small: the smallest is {bytes} bytes ({family}, "
                              "{setting}) for {psnr} dB; the autoencoder above is {db} dB ahead of it, with fewer "
                              "bytes.",
    "compress.overtake": (
        "JPEG overtakes the autoencoder from {file} per image (whole files), or from {image} counted without its "
        "tables; WebP from {webp}. Below that, at the same bytes, the autoencoder's pictures are "
        "closer to the originals."),
    "compress.bytes_n": "{b} bytes",
    "compress.never": "beyond the measured range",
    "compress.quant": "What storing in fewer bits costs",
    "compress.quant_family": "Model",
    "compress.col.z": "z",
    "compress.col.bytes": "bytes ({b} bits)",
    "compress.col.psnr": "PSNR, {b} bits",
    "compress.col.loss": "lost to {b} bits (dB)",
    "compress.quant_caption": (
        "The rounding's own loss: the PSNR the stored code gives up against the exact one. 16 bits costs next "
        "to nothing; 8 bits little, for a quarter of the bytes, except where one number must carry the whole "
        "image (z = 1): there 256 steps are coarse."),
    "compress.aside": "Set aside, as JPEG's tables are: {items}. The switch above adds them in.",
    "compress.aside_item": "the {family} decoders' weights, {lo}–{hi} kB, that is {plo}–{phi} bytes per image over "
                           "the {n:,} test images",
    # your own sweep
    "compress.yours": "Your own sweep",
    "compress.yours_intro": (
        "Train a small sweep yourself: dense autoencoders (784-128-64-z) at the z you choose, {epochs} epochs "
        "each on {images:,} training images, about ten seconds per model on a free core. Each finished model "
        "joins the curve below, beside the shipped ones, which trained on every training image for many more "
        "epochs."),
    "compress.yours_z": "z values",
    "compress.start": "Train the sweep",
    "compress.stop": "Stop",
    "compress.pick_z": "Choose at least one z.",
    "compress.status.queued": "Waiting for the training slot (place {pos} in the queue)…",
    "compress.status.running": "Training z = {z} ({i} of {n}) · {pct} %",
    "compress.status.done": "Done in {time}: trained at z = {zs}.",
    "compress.status.stopped": "Stopped; finished at z = {zs}.",
    "compress.status.failed": "The training failed: {error}",
    "compress.yours_caption": "Your models are measured on the same test images as the shipped ones.",
    "compress.yours_none": "No model of yours finished yet.",
}

KO = {
    "compress.title": "압축",
    "compress.heading": "압축 실험실: 병목은 무엇을 남기고, 그 값은 몇 바이트일까",
    "compress.intro": (
        "오토인코더는 모든 이미지를 좁은 가운데, 곧 숫자 z개로 된 코드에 밀어 넣습니다. 가운데가 좁을수록 "
        "네트워크는 남길 것의 순서를 정하고 나머지를 버려야 합니다. 여기서는 같은 이미지를 z가 1에서 64까지인 "
        "모델에 통과시키고, 같은 수의 성분을 남기는 PCA(숫자 z개를 남기는 선형 방법), 그리고 같은 바이트 수의 "
        "JPEG, WebP, PNG, gzip과 나란히 비교합니다."),
    "compress.zip": "이것은 zip과 같은 걸까요?",
    "compress.zip_text": (
        "**아닙니다.** zip, gzip, PNG는 모든 픽셀을 정확히 되돌려 주고 어떤 파일에나 쓸 수 있습니다. 되풀이되는 "
        "패턴을 찾을 뿐입니다. 오토인코더는 한 종류의 이미지들이 공통으로 가진 것을 배워 z에 담고, 담을 수 없는 "
        "세부는 버립니다. 그래서 복원은 비슷할 뿐 똑같지 않고, 학습한 것과 비슷한 이미지에서만 통합니다.\n\n"
        "**디코더는 공유된 지식입니다.** 코드를 받는 쪽은 디코더를 이미 가지고 있어야 합니다. JPEG를 여는 "
        "프로그램이 JPEG 읽는 법을 이미 알고 있는 것과 같습니다. 그래서 디코더의 가중치는 이미지마다가 아니라 "
        "한 번만 셉니다(얼마인지는 '바이트, 정직하게' 부분에 있습니다).\n\n"
        "**정리하면:** 파일을 작게만 만들고 싶다면 zip을 쓰세요. 병목은 데이터에서 무엇이 중요한지를 보여 "
        "줍니다. 좁은 코드가 가장 먼저 남기는 것이 네트워크가 가장 중요하다고 찾아낸 것입니다."),
    "compress.dataset": "데이터셋",
    "compress.no_sweep": "어떤 데이터셋에도 z 계열 모델이 없습니다. `make checkpoints`를 실행하세요(z = 1에서 "
                         "64까지 완전연결과 합성곱 모델을 학습하는 checkpoints/make_sweep.sh를 부릅니다).",
    "compress.missing": "(아직) 없는 모델: {which}. 이 페이지는 있는 모델만 씁니다.",
    "compress.missing_item": "{family} z = {zs}",
    "compress.measured": "테스트 이미지 {total:,}개 중 {n:,}개로 쟀습니다(모든 방법과 모든 모델에 같은, 고정된 "
                         "일부). PCA와 8비트 범위는 학습 이미지 {train:,}개로 맞췄습니다.",
    "compress.mnist_note": "여기의 MNIST는 실제 숫자 5,000개로 된 오프라인 일부이므로 수치는 참고용입니다.",
    "compress.family.dense": "완전연결 오토인코더",
    "compress.family.conv": "합성곱 오토인코더",
    "compress.family.pca": "PCA (k = z)",
    "compress.family.yours": "직접 학습한 계열 (완전연결)",
    "compress.axis_z": "z (코드의 숫자 개수)",
    "compress.sweep": "z에 따른 품질",
    "compress.sweep_intro": (
        "점 하나가 숫자 z개짜리 코드를 가진 모델 하나이며(완전연결 모델은 수업의 784-128-64-z), 모두 같은 테스트 "
        "이미지로 쟀습니다. 점선은 성분 k = z개를 남기는 PCA로, 같은 크기의 선형 코드가 낼 수 있는 최선입니다. "
        "오토인코더의 선이 PCA보다 높이 올라가는 곳에서는 비선형 모델이 제값을 하고, 두 선이 가까워지는 곳에서는 "
        "코드가 넓어 비선형 모델이 더는 필요 없습니다."),
    "compress.paying": "**{family}:** PCA보다 가장 크게 앞서는 곳은 z = {z}입니다({db} dB).",
    "compress.caught": "z = {z}부터는 PCA가 같거나 더 낫습니다. 거기서는 비선형 모델이 더는 제값을 하지 못합니다.",
    "compress.not_caught": "잰 가장 넓은 코드인 z = {z}까지 계속 앞섭니다.",
    "compress.what": "지표",
    "compress.what.psnr": "PSNR (dB, 높을수록 좋음)",
    "compress.what.mse": "MSE (낮을수록 좋음)",
    "compress.computing_curves": "테스트 이미지 {n:,}개로 모든 모델을 재는 중(데이터셋마다 한 번)…",
    "compress.knn": "코드는 의미를 얼마나 간직할까",
    "compress.knn_axis": "k-NN 정확도",
    "compress.knn_caption": (
        "가장 가까운 코드 5개의 투표로 클래스를 맞힌 테스트 이미지의 비율(교차 검증)입니다. 코드는 클래스를 "
        "배운 적이 없습니다. 클래스에 대해 간직한 것은 이미지를 복원하는 데 도움이 되어서 간직한 것입니다."),
    "compress.per_class": "어떤 클래스가 먼저 잃을까",
    "compress.per_class_family": "모델",
    "compress.per_class_caption": (
        "z마다 각 클래스 테스트 이미지의 평균 PSNR입니다(노랑: 가장 좋음, 어두움: 가장 나쁨). 각 줄을 오른쪽에서 "
        "왼쪽으로 읽으세요. z가 줄어들 때 색이 먼저 어두워지는 클래스가 세부를 먼저 잃습니다."),
    "compress.first": "무엇이 먼저 사라질까",
    "compress.first_intro": (
        "같은 이미지 8장을 한 계열의 모든 모델에 통과시킵니다. z를 움직이며 복원과 복원오차를 보세요. z가 작으면 "
        "대략적인 모양, 곧 그 클래스의 전형적인 모습만 남고, z가 커지면서 이 이미지만의 세부가 돌아옵니다."),
    "compress.source": "이미지",
    "compress.source.classes": "클래스마다 한 장",
    "compress.source.random": "무작위",
    "compress.source.upload": "올리기",
    "compress.source.draw": "그리기",
    "compress.other_images": "다른 이미지",
    "compress.yours_first": "올리거나 그린 이미지가 8장 중 첫 번째입니다.",
    "compress.upload_help": "학습 데이터처럼 준비합니다: 흑백으로, 검은 바탕에 밝은 획으로, 잘라 내서 28x28 "
                            "가운데에 맞춥니다.",
    "compress.draw_hint": "검은 사각형 안에 마우스로 그리세요(휴지통 아이콘으로 지웁니다).",
    "compress.family": "모델",
    "compress.z": "z (코드의 숫자 개수)",
    "compress.row.original": "이미지 8장",
    "compress.row.recon": "숫자 z = {z}개로 복원",
    "compress.row.error": "복원오차 |x̂ − x|",
    "compress.at_z_caption": (
        "z = {z}에서 평균 PSNR: {psnr} dB. 이미지별로 왼쪽부터: {each}. 복원오차: 검정은 정확히 같음, 노랑은 이 "
        "계열의 모든 z 가운데 가장 큰 오차입니다(아래 그림과 같은 색 척도)."),
    "compress.every_z": "모든 z에서",
    "compress.row.originals": "이미지 8장",
    "compress.row.z": "z = {z}",
    "compress.every_z_caption": "z마다 한 줄: 왼쪽에 복원 8장, 오른쪽에 그 복원오차.",
    "compress.bytes": "바이트, 정직하게",
    "compress.bytes_intro": (
        "이제 이미지 한 장에 몇 바이트가 드는지 셉니다. 코드는 숫자 z개이고, 숫자마다 32, 16, 8비트로 저장합니다"
        "(8비트: 학습 이미지에서 그 숫자의 최솟값과 최댓값 사이를 256단계로 나눠 반올림). PCA의 계수 k개도 같은 "
        "방법으로 저장합니다. JPEG와 WebP는 품질 설정 전체를 훑습니다. PNG와 gzip은 모든 픽셀을 정확히 남기며, "
        "점선 세로줄이 정확한 복사본의 값입니다."),
    "compress.computing_bytes": "테스트 이미지 {n:,}개를 모든 방법으로 압축하는 중(데이터셋마다 한 번, JPEG와 "
                                "WebP 결과는 디스크에 보관)…",
    "compress.bits_shown": "코드와 PCA 계수의 저장 비트",
    "compress.bits": "{b}비트",
    "compress.amortise": "공유 바이트를 테스트 이미지 전체에 나눠 더하기",
    "compress.amortise_help": (
        "모든 이미지가 함께 쓰는 바이트: 디코더의 가중치(오토인코더), 기저와 평균(PCA), 표(표를 뺀 JPEG), 8비트 "
        "범위. 테스트 이미지 {total:,}장에 나누면 점마다 제 몫만큼 오른쪽으로 옮겨 갑니다."),
    "compress.fam.pca": "PCA",
    "compress.fam.jpeg": "JPEG (파일 전체)",
    "compress.fam.jpeg-image": "JPEG (이미지 스트림, 표는 따로)",
    "compress.fam.jpeg-scan": "JPEG (엔트로피 부호화 데이터만)",
    "compress.fam.webp": "WebP",
    "compress.fam.webp-vp8": "WebP (VP8 프레임)",
    "compress.fam.png": "PNG",
    "compress.fam.gzip": "gzip",
    "compress.fam.gzip-split": "gzip (테스트 이미지 전체를 파일 하나로)",
    "compress.fam.raw": "픽셀 그대로",
    "compress.x_bytes": "이미지당 바이트 (로그 척도)",
    "compress.x_bytes_total": "공유 바이트를 더한 이미지당 바이트 (로그 척도)",
    "compress.exact": "정확한 복사본",
    "compress.verdict": "이미지당 {budget}바이트 이하에서",
    "compress.best_ae": "가장 좋은 오토인코더",
    "compress.over_pca": "PCA보다",
    "compress.over_codec": "JPEG/WebP보다",
    "compress.best_help": "{family}, {setting}: 이미지당 {bytes}바이트.",
    "compress.no_codec": "해당 없음",
    "compress.no_codec_help": "그만큼 작은 JPEG나 WebP 파일은 없습니다. 가장 작은 것은 {bytes}바이트"
                              "({family}, {setting})에 {psnr} dB이고, 위의 오토인코더는 더 적은 바이트로 그보다 "
                              "{db} dB 앞섭니다.",
    "compress.overtake": (
        "JPEG는 이미지당 {file}(파일 전체)부터, 표를 빼고 세면 {image}부터 오토인코더를 앞섭니다. WebP는 "
        "{webp}부터입니다. 그보다 적은 바이트에서는 오토인코더의 복원이 원본에 더 가깝습니다."),
    "compress.bytes_n": "{b}바이트",
    "compress.never": "잰 범위 밖",
    "compress.quant": "적은 비트로 저장하는 값",
    "compress.quant_family": "모델",
    "compress.col.z": "z",
    "compress.col.bytes": "바이트 ({b}비트)",
    "compress.col.psnr": "PSNR, {b}비트",
    "compress.col.loss": "{b}비트로 잃은 값 (dB)",
    "compress.quant_caption": (
        "반올림 자체의 손실: 저장한 코드가 정확한 코드보다 잃는 PSNR입니다. 16비트는 거의 잃지 않고, 8비트는 "
        "바이트를 4분의 1로 줄이면서도 조금만 잃습니다. 다만 숫자 하나가 이미지 전체를 담아야 하는 z = 1에서는 "
        "256단계가 거칩니다."),
    "compress.aside": "JPEG의 표처럼 따로 둔 것: {items}. 위의 스위치를 켜면 더해집니다.",
    "compress.aside_item": "{family} 디코더의 가중치 {lo}–{hi} kB, 테스트 이미지 {n:,}장에 나누면 이미지당 "
                           "{plo}–{phi}바이트",
    "compress.yours": "직접 학습해 보기",
    "compress.yours_intro": (
        "작은 계열을 직접 학습해 보세요. 고른 z마다 완전연결 오토인코더(784-128-64-z)를 학습 이미지 {images:,}장으로 "
        "{epochs}에포크씩 학습하며, 한가한 코어에서 모델마다 10초쯤 걸립니다. 다 학습한 모델은 아래 곡선에 바로 "
        "더해져, 모든 학습 이미지로 훨씬 오래 학습한 제공 모델과 나란히 놓입니다."),
    "compress.yours_z": "z 값",
    "compress.start": "학습 시작",
    "compress.stop": "멈추기",
    "compress.pick_z": "z를 하나 이상 고르세요.",
    "compress.status.queued": "학습 차례를 기다리는 중(대기 {pos}번째)…",
    "compress.status.running": "z = {z} 학습 중({n}개 중 {i}번째) · {pct} %",
    "compress.status.done": "완료({time}): z = {zs} 모델을 학습했습니다.",
    "compress.status.stopped": "멈춤: z = {zs} 모델을 마쳤습니다.",
    "compress.status.failed": "학습에 실패했습니다: {error}",
    "compress.yours_caption": "직접 학습한 모델도 제공 모델과 같은 테스트 이미지로 쟀습니다.",
    "compress.yours_none": "아직 학습을 마친 모델이 없습니다.",
}

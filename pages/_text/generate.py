"""Strings of the Generation page (and the sampling sources of ae.generate.SAMPLERS)."""

EN = {
    "generate.title": "Generation",
    "generate.heading": "Generation lab: what the decoder draws between the codes",
    "generate.intro": (
        "The decoder turns a code z into a picture. Here you hand it codes yourself: with sliders, by pointing "
        "at a map of the latent space, over a whole grid, along a path between two images, or at random. "
        "You see what it draws where real images have their codes, and what it draws in between. A plain "
        "autoencoder and a VAE answer differently; the last section puts them side by side."),
    "generate.why": "Why does an autoencoder have holes, and what does a VAE change?",
    "generate.why_text": (
        "**The decoder only learned the codes it was given.** In training, a plain autoencoder's decoder sees "
        "only the codes of training images. Between and around them lie regions that no image maps to: holes. "
        "A code from a hole decodes to whatever the weights happen to give there: a faint blend, a smear, or "
        "nothing recognisable.\n\n"
        "**A VAE makes the codes fill a known shape.** A variational autoencoder's encoder gives a mean and a "
        "spread for each image, and training decodes a random code drawn from that spread. A second loss term "
        "(the KL divergence) pulls every image's distribution towards the prior N(0, I). The decoder learns to "
        "draw from whole regions instead of points, and the codes crowd into one region around 0. That is why "
        "a code drawn from N(0, I) decodes to a plausible picture: a VAE is a generative model.\n\n"
        "**The price.** Noisy codes make a VAE's pictures smoother and blurrier, and the pull towards the prior "
        "is a compromise, not a guarantee: the codes never follow N(0, I) exactly. A VAE has fewer holes, "
        "not none."),
    "generate.encoding": "Encoding the training images, once for this model…",
    "generate.cannot": (
        "A model of kind {kind} cannot draw a picture from a code alone: its decoder also takes the encoder's "
        "feature maps (skip connections), so it needs an input image as well as z. Generating needs a model "
        "that decodes z by itself: {kinds}."),
    "generate.switch": "Switch the active model to one that can:",
    # an image to start from
    "generate.pick.start": "Start from",
    "generate.pick.a": "Image A",
    "generate.pick.b": "Image B",
    "generate.source.centre": "Centre",
    "generate.source.index": "Test image",
    "generate.source.upload": "Upload",
    "generate.source.draw": "Drawing",
    "generate.index": "Test image number",
    "generate.test_image": "Test image {i} ({label})",
    "generate.upload_help": "Prepared like the training data: grayscale, light ink on black, cropped, fitted "
                            "and centred in 28x28.",
    "generate.draw_hint": "Draw with the mouse in the black square (the bin icon clears it).",
    # sliders
    "generate.sliders": "Latent sliders",
    "generate.start_caption": "{what}: the sliders jump to its code, so the first picture is its reconstruction.",
    "generate.sliders_caption.codes": (
        "One slider per dimension of z ({d}), each over the training codes' 1st to 99th percentile; they start "
        "at the codes' median. Each move is decoded in your browser."),
    "generate.sliders_caption.prior": (
        "One slider per dimension of z ({d}), each from −3 to 3: three standard deviations of the VAE's prior "
        "N(0, I), starting at its mean 0. Each move is decoded in your browser."),
    "generate.sliders_caption.principal": (
        "z has {d} dimensions, too many for a slider each: the {k} sliders move along the first {k} principal "
        "directions of the training codes (PC1 varies most), from the mean code over the codes' 1st to 99th "
        "percentile (a VAE: from 0, −3 to 3). Starting from an image keeps the part of its code the sliders "
        "do not reach. Each move is decoded in your browser."),
    # the map
    "generate.map": "Drag on the map",
    "generate.map_intro": "A plane of the latent space, with training codes as dots. Move the pointer over it: "
                          "the picture beside it is decoded from the code under the pointer.",
    "generate.no_plane": "This model's code has one dimension: the slider above is all there is, with no plane, "
                         "map or grid.",
    "generate.plane": "Plane through z",
    "generate.plane.pcs": "Two principal directions",
    "generate.plane.images": "Three test images",
    "generate.image_n": "Image {n}",
    "generate.plane_images": "Their places on the plane (u, v): {points}. A is the origin, B lies on the u axis.",
    "generate.collinear": "These three codes lie on one line (or two are the same), so they span no plane: the "
                          "principal plane is shown instead. Pick another image.",
    "generate.pc_u": "Across (u)",
    "generate.pc_v": "Up (v)",
    "generate.pc_same": "The same direction twice: PC{j} goes upward instead.",
    "generate.map_caption": "Dots: {n} of the {total} training codes, coloured by class.",
    "generate.projected": "With more than two dimensions the dots are the codes projected onto this plane; a "
                          "code away from the plane decodes to something else than the point under it.",
    "generate.window.codes": "The window spans the training codes' 1st to 99th percentile: {u} from {u0} to {u1}, "
                             "{v} from {v0} to {v1}.",
    "generate.window.pcs": "The plane goes through the mean code along two principal directions of the codes; the "
                           "window spans the codes' 1st to 99th percentile along each: {u} from {u0} to {u1}, {v} "
                           "from {v0} to {v1}.",
    "generate.window.prior": "The window is {u0} to {u1} on both axes around 0, the mean of the VAE's prior N(0, I) "
                             "(three standard deviations). This VAE's codes are centred near ({m1}, {m2}), not "
                             "exactly at 0: the prior pulls the codes during training, it does not place them.",
    "generate.window.images": "The window is the three images' bounding box, widened by a quarter on every side: "
                              "{u} from {u0} to {u1}, {v} from {v0} to {v1}.",
    # the grid
    "generate.grid": "Decoded grid",
    "generate.grid_caption.quantile": (
        "{n} x {n} pictures at the normal distribution's quantiles from {lo} % to {hi} %, as in the Keras VAE "
        "example: {u0} to {u1} on each axis, centred on the prior's 0. Neighbouring pictures are equally likely "
        "under the prior, so the cells are narrow near 0 and wide at the edges. On the right, each square is one "
        "picture of the grid (the ticks are the cells' centres), so both have the same axes."),
    "generate.grid_caption.range": (
        "{n} x {n} pictures spaced evenly over the window: {u0} to {u1} across, {v0} to {v1} up. On the right, "
        "each square is one picture of the grid (the ticks are the cells' centres), so both have the same axes."),
    "generate.grid_empty": "{empty} of the {cells} cells ({share}) hold none of the {total} training codes (grey): "
                           "there the decoder draws from codes it never met in training.",
    "generate.empty_cells": "no training code",
    # interpolation
    "generate.interp": "Interpolation",
    "generate.interp_intro": (
        "From image A to image B in two ways: through the latent space (encode both, walk between the two codes, "
        "decode every step) and by cross-fading the pixels. The first blends meanings, the second lays one "
        "picture over the other."),
    "generate.steps": "Steps",
    "generate.path": "Path in latent space",
    "generate.path.linear": "Straight line",
    "generate.path.spherical": "Spherical (slerp)",
    "generate.path_help": "Straight: evenly along the line between the two codes. Spherical: along the great "
                          "circle, the length changing evenly, which keeps the path away from the origin (White "
                          "2016); the default for a VAE.",
    "generate.need_two": "Pick, upload or draw both images.",
    "generate.row.latent": "through the latent space ({path})",
    "generate.row.pixels": "pixel cross-fade",
    "generate.interp_caption": "Image A on the left, image B on the right. The latent row starts and ends at the "
                               "reconstructions of A and B, which the decoder draws from their codes.",
    # sampling
    "generate.sampling": "Sampling",
    "generate.sampling_intro": "16 random codes from each source this model has, decoded.",
    "generate.resample": "New samples",
    "generate.sample.prior": "from the prior N(0, I)",
    "generate.sample.gaussian": "from a Gaussian fitted to the training codes",
    "generate.sample.box": "evenly from the codes' box (1st to 99th percentile in every dimension)",
    "generate.sampling_caption.vae": (
        "The VAE was trained so that its codes follow N(0, I): codes drawn from the prior should decode to "
        "plausible pictures. The other rows draw the way one has to for a plain autoencoder."),
    "generate.sampling_caption.ae": (
        "A plain autoencoder has no prior to draw from. A Gaussian fitted to its codes, or its codes' box, also "
        "lands in the holes between the codes: look for faint, smeared or mixed pictures, more often in the box."),
    # the holes
    "generate.holes": "AE vs VAE: the holes",
    "generate.holes_intro": (
        "The same data, a 2-D code and the same convolutional body: a plain autoencoder beside a VAE. The plain "
        "one may put its codes anywhere and leaves gaps between them; the VAE is pulled towards the prior N(0, I), "
        "so its codes should fill their window more evenly. Each grid is decoded over its own model's window, "
        "and the map under it shows that model's training codes on the grid's axes, grey where a cell holds "
        "none."),
    "generate.no_pair": "There is no plain autoencoder and VAE with a 2-D code for {dataset} to compare: train both "
                        "on the Train page with latent size 2, or run `make checkpoints`.",
    "generate.no_classifier": "No classifier is shipped for {dataset}, so the pictures cannot be judged: run "
                              "`make checkpoints`.",
    "generate.holes_running": "Measuring the holes (once per model): decoding the grids, asking the classifier, "
                              "finding each picture's nearest training image…",
    "generate.role.vae": "VAE",
    "generate.role.plain": "Plain autoencoder",
    "generate.empty_metric": "Grid cells with no training code",
    "generate.empty_help": "Of the {n} x {n} cells of the grid below, the share that no training image's code falls "
                           "in: the holes of the code distribution itself.",
    "generate.holes_window.vae": (
        "Grid: the prior's 5 % to 95 % quantiles, {u0} to {u1} on each axis, centred on 0. This VAE's codes are "
        "centred near ({m1}, {m2}), off the prior's centre: the grid is centred on 0, not on the codes."),
    "generate.holes_window.plain": "Grid: evenly over its codes' 1st to 99th percentile, z1 from {u0} to {u1}, "
                                   "z2 from {v0} to {v1}.",
    "generate.col.figure": "Figure",
    "generate.col.vae": "VAE",
    "generate.col.plain": "Plain AE",
    "generate.col.real": "Real test images",
    "generate.fig.empty": "Grid cells with no training code (lower: fewer holes among the codes)",
    "generate.fig.recognised": "Pictures the classifier names with confidence ≥ 0.9 (higher: looks more real)",
    "generate.fig.distance": "Mean distance to the nearest training image (lower: closer to real images)",
    "generate.verdict.empty": "**Fewer empty cells:** {who}.",
    "generate.verdict.recognised": "**More pictures recognised:** {who}.",
    "generate.verdict.distance": "**Closer to real images:** {who}.",
    "generate.who.vae": "the VAE",
    "generate.who.plain": "the plain autoencoder",
    "generate.holes_reading": (
        "How to read this: the empty cells count where the training codes lie, and that is what the holes are. "
        "The other two figures judge the decoded pictures instead, and they need not agree. A VAE's decoder learns "
        "from noisy codes and draws smoother, blurrier pictures everywhere, which a classifier is less sure of; a "
        "plain autoencoder draws sharp pictures where its codes are dense, and its grid spans its own codes. So "
        "the picture figures can favour the plain autoencoder even where it has more holes, and no number here "
        "proves that a VAE has none. Real test images are a yardstick, not a target: a smooth, typical-looking "
        "picture can lie nearer to a training image than a real test image does. Look at what each decoder draws "
        "in its grey cells."),
    "generate.holes_caption": (
        "{n} x {n} grids. Judge: a small CNN trained on the real training images, {acc} right on the {tests} test "
        "images and confident (≥ {threshold}) on {confident} of them. Real test images: {real} of them, measured "
        "like the grid pictures. Distance: Euclidean in pixel space (784 values in [0, 1])."),
}

KO = {
    "generate.title": "생성",
    "generate.heading": "생성 실험실: 디코더는 코드 사이에 무엇을 그릴까",
    "generate.intro": (
        "디코더는 코드 z를 그림으로 바꿉니다. 여기서는 그 코드를 슬라이더로, 잠재 공간 지도를 가리켜서, 격자 전체에 "
        "걸쳐, 두 이미지 사이의 경로를 따라, 또는 무작위로 직접 건네 봅니다. 실제 이미지의 코드가 있는 곳에서 "
        "디코더가 무엇을 그리는지, 그 사이에서는 무엇을 그리는지 볼 수 있습니다. 일반 오토인코더와 VAE는 다르게 "
        "답하며, 마지막 부분에서 둘을 나란히 비교합니다."),
    "generate.why": "오토인코더의 잠재 공간에는 왜 구멍이 생기고, VAE는 무엇을 바꿀까요?",
    "generate.why_text": (
        "**디코더는 학습 때 받은 코드만 압니다.** 학습하는 동안 일반 오토인코더의 디코더는 학습 이미지의 코드만 "
        "봅니다. 그 코드들 사이와 바깥에는 어떤 이미지도 대응하지 않는 영역, 곧 구멍이 있습니다. 구멍에서 고른 코드는 "
        "그곳의 가중치가 우연히 만들어 내는 그림이 됩니다. 흐릿하게 섞인 모양, 번진 자국, 알아볼 수 없는 무언가입니다.\n\n"
        "**VAE는 코드가 정해진 모양을 채우게 합니다.** 변분 오토인코더의 인코더는 이미지마다 평균과 퍼짐을 내놓고, "
        "학습은 그 퍼짐에서 뽑은 무작위 코드를 디코딩합니다. 두 번째 손실 항(KL 발산)은 모든 이미지의 분포를 사전 "
        "분포 N(0, I) 쪽으로 끌어당깁니다. 그래서 디코더는 점이 아니라 영역 전체에서 그리는 법을 배우고, 코드는 0 "
        "주변의 한 영역에 모입니다. N(0, I)에서 뽑은 코드를 디코딩하면 그럴듯한 그림이 나오는 이유이며, VAE가 생성 "
        "모델인 이유입니다.\n\n"
        "**대가도 있습니다.** 잡음 섞인 코드로 배운 VAE의 그림은 더 매끄럽고 흐립니다. 사전 분포로 끌어당기는 힘은 "
        "타협일 뿐 보장이 아니어서, 코드가 N(0, I)를 정확히 따르지는 않습니다. VAE의 구멍은 더 적을 뿐, 없지는 "
        "않습니다."),
    "generate.encoding": "이 모델로 학습 이미지를 인코딩하는 중(모델마다 한 번)…",
    "generate.cannot": (
        "{kind} 모델은 코드만으로 그림을 그릴 수 없습니다. 디코더가 z와 함께 인코더의 특징 맵(스킵 연결)도 받기 "
        "때문에 입력 이미지가 꼭 필요합니다. 생성에는 z만으로 디코딩하는 모델이 필요합니다: {kinds}."),
    "generate.switch": "디코딩할 수 있는 모델로 바꾸기:",
    "generate.pick.start": "시작점",
    "generate.pick.a": "이미지 A",
    "generate.pick.b": "이미지 B",
    "generate.source.centre": "중심",
    "generate.source.index": "테스트 이미지",
    "generate.source.upload": "올리기",
    "generate.source.draw": "그리기",
    "generate.index": "테스트 이미지 번호",
    "generate.test_image": "테스트 이미지 {i}번 ({label})",
    "generate.upload_help": "학습 데이터처럼 준비합니다: 흑백으로, 검은 바탕에 밝은 획으로, 잘라 내서 28x28 "
                            "가운데에 맞춥니다.",
    "generate.draw_hint": "검은 사각형 안에 마우스로 그리세요(휴지통 아이콘으로 지웁니다).",
    "generate.sliders": "잠재변수 슬라이더",
    "generate.start_caption": "{what}: 슬라이더가 이 이미지의 코드로 옮겨 가므로 처음 보이는 그림은 이 이미지의 "
                              "복원입니다.",
    "generate.sliders_caption.codes": (
        "z의 차원({d}개)마다 슬라이더가 하나씩 있고, 범위는 학습 코드의 1번째에서 99번째 백분위수까지입니다. "
        "처음 위치는 코드의 중앙값입니다. 움직일 때마다 브라우저에서 디코딩합니다."),
    "generate.sliders_caption.prior": (
        "z의 차원({d}개)마다 슬라이더가 하나씩 있고, 범위는 −3에서 3까지, 곧 VAE의 사전 분포 N(0, I)의 표준편차 "
        "세 배입니다. 처음 위치는 평균 0입니다. 움직일 때마다 브라우저에서 디코딩합니다."),
    "generate.sliders_caption.principal": (
        "z가 {d}차원이라 차원마다 슬라이더를 두기에는 너무 많습니다. 슬라이더 {k}개는 학습 코드의 처음 {k}개 주성분 "
        "방향(PC1의 변화가 가장 큼)을 따라 움직이며, 평균 코드에서 시작해 코드의 1번째에서 99번째 백분위수까지 "
        "갑니다(VAE는 0에서 시작해 −3에서 3까지). 이미지에서 시작하면 슬라이더가 닿지 않는 코드 부분은 그대로 "
        "둡니다. 움직일 때마다 브라우저에서 디코딩합니다."),
    "generate.map": "지도 위에서 움직이기",
    "generate.map_intro": "잠재 공간의 한 평면에 학습 코드를 점으로 찍었습니다. 그 위로 포인터를 움직이면 옆의 "
                          "그림이 포인터 아래 코드를 디코딩한 그림으로 바뀝니다.",
    "generate.no_plane": "이 모델의 코드는 1차원이라 위의 슬라이더 하나가 전부입니다. 평면도, 지도도, 격자도 "
                         "없습니다.",
    "generate.plane": "z를 지나는 평면",
    "generate.plane.pcs": "두 주성분 방향",
    "generate.plane.images": "테스트 이미지 세 장",
    "generate.image_n": "이미지 {n}",
    "generate.plane_images": "평면 위 위치 (u, v): {points}. A가 원점이고 B는 u축 위에 있습니다.",
    "generate.collinear": "세 코드가 한 직선 위에 있거나 두 코드가 같아서 평면을 만들 수 없습니다. 대신 주성분 "
                          "평면을 보여 줍니다. 다른 이미지를 고르세요.",
    "generate.pc_u": "가로 (u)",
    "generate.pc_v": "세로 (v)",
    "generate.pc_same": "같은 방향을 두 번 골랐습니다. 세로에는 PC{j}를 씁니다.",
    "generate.map_caption": "점: 학습 코드 {total}개 중 {n}개, 클래스별 색.",
    "generate.projected": "z가 2차원보다 크면 점은 코드를 이 평면에 투영한 위치입니다. 평면에서 멀리 떨어진 코드는 "
                          "그 아래 지점과 다른 그림으로 디코딩됩니다.",
    "generate.window.codes": "보이는 범위는 학습 코드의 1번째에서 99번째 백분위수까지입니다: {u}는 {u0}에서 {u1}, "
                             "{v}는 {v0}에서 {v1}.",
    "generate.window.pcs": "평면은 평균 코드를 지나고 코드의 두 주성분 방향으로 펼쳐집니다. 보이는 범위는 각 방향에서 "
                           "코드의 1번째에서 99번째 백분위수까지입니다: {u}는 {u0}에서 {u1}, {v}는 {v0}에서 {v1}.",
    "generate.window.prior": "보이는 범위는 두 축 모두 {u0}에서 {u1}로, VAE의 사전 분포 N(0, I)의 평균 0을 중심으로 "
                             "표준편차 세 배입니다. 이 VAE의 코드는 정확히 0이 아니라 ({m1}, {m2}) 근처에 모여 "
                             "있습니다. 사전 분포는 학습 중에 코드를 끌어당길 뿐, 그 자리에 놓아 주지는 않습니다.",
    "generate.window.images": "보이는 범위는 세 이미지를 감싸는 사각형을 사방으로 4분의 1씩 넓힌 것입니다: {u}는 "
                              "{u0}에서 {u1}, {v}는 {v0}에서 {v1}.",
    "generate.grid": "디코딩한 격자",
    "generate.grid_caption.quantile": (
        "그림 {n} x {n}장을 Keras VAE 예제처럼 정규분포의 {lo} %에서 {hi} % 분위수 위치에 놓았습니다: 각 축에서 "
        "{u0}에서 {u1}까지, 사전 분포의 0이 중심입니다. 이웃한 그림 사이의 확률이 사전 분포에서 모두 같으므로 칸은 0 "
        "근처에서 좁고 가장자리에서 넓습니다. 오른쪽에서는 정사각형 하나가 격자의 그림 한 장이라(눈금은 칸의 "
        "중심값), 둘의 축이 같습니다."),
    "generate.grid_caption.range": (
        "그림 {n} x {n}장을 보이는 범위에 고르게 놓았습니다: 가로 {u0}에서 {u1}, 세로 {v0}에서 {v1}. 오른쪽에서는 "
        "정사각형 하나가 격자의 그림 한 장이라(눈금은 칸의 중심값), 둘의 축이 같습니다."),
    "generate.grid_empty": "칸 {cells}개 중 {empty}개({share})에는 학습 코드 {total}개 중 어느 것도 없습니다(회색). "
                           "그곳에서 디코더는 학습 때 한 번도 보지 못한 코드로 그림을 그립니다.",
    "generate.empty_cells": "학습 코드 없음",
    "generate.interp": "보간",
    "generate.interp_intro": (
        "이미지 A에서 이미지 B로 두 가지 방법으로 갑니다. 잠재 공간을 지나는 방법(둘을 인코딩하고, 두 코드 사이를 "
        "걸으며, 걸음마다 디코딩)과 픽셀을 서서히 겹치는 방법입니다. 앞의 것은 의미를 섞고, 뒤의 것은 그림 위에 "
        "그림을 겹칩니다."),
    "generate.steps": "단계 수",
    "generate.path": "잠재 공간의 경로",
    "generate.path.linear": "직선",
    "generate.path.spherical": "구면 (slerp)",
    "generate.path_help": "직선: 두 코드를 잇는 선분을 고르게 나눕니다. 구면: 길이는 고르게 바꾸면서 대원을 따라가므로 "
                          "경로가 원점에서 떨어져 있습니다(White 2016). VAE의 기본값입니다.",
    "generate.need_two": "두 이미지를 모두 고르거나, 올리거나, 그리세요.",
    "generate.row.latent": "잠재 공간을 지나는 경로 ({path})",
    "generate.row.pixels": "픽셀 겹치기",
    "generate.interp_caption": "왼쪽 끝이 이미지 A, 오른쪽 끝이 이미지 B입니다. 잠재 공간 줄은 A와 B 자체가 아니라, "
                               "디코더가 두 코드로 그린 A와 B의 복원에서 시작하고 끝납니다.",
    "generate.sampling": "샘플링",
    "generate.sampling_intro": "이 모델이 쓸 수 있는 출처마다 무작위 코드 16개를 뽑아 디코딩합니다.",
    "generate.resample": "새로 뽑기",
    "generate.sample.prior": "사전 분포 N(0, I)에서",
    "generate.sample.gaussian": "학습 코드에 맞춘 가우시안 분포에서",
    "generate.sample.box": "코드 상자(모든 차원에서 1번째에서 99번째 백분위수) 안에서 고르게",
    "generate.sampling_caption.vae": (
        "VAE는 코드가 N(0, I)를 따르도록 학습했으므로 사전 분포에서 뽑은 코드는 그럴듯한 그림으로 디코딩되어야 "
        "합니다. 나머지 줄은 일반 오토인코더에서 할 수밖에 없는 방식으로 뽑은 것입니다."),
    "generate.sampling_caption.ae": (
        "일반 오토인코더에는 뽑을 사전 분포가 없습니다. 코드에 맞춘 가우시안이나 코드 상자에서 뽑으면 코드 사이의 "
        "구멍에도 떨어집니다. 흐리거나, 번지거나, 두 가지가 섞인 그림을 찾아보세요. 상자에서 더 자주 보입니다."),
    "generate.holes": "일반 오토인코더와 VAE: 구멍",
    "generate.holes_intro": (
        "같은 데이터, 2차원 코드, 같은 합성곱 구조로 학습한 일반 오토인코더와 VAE를 나란히 놓았습니다. 일반 "
        "오토인코더는 코드를 아무 데나 둘 수 있어 코드 사이에 틈이 남고, VAE는 사전 분포 N(0, I) 쪽으로 끌려가므로 "
        "코드가 범위를 더 고르게 채울 것입니다. 격자는 각 모델의 범위에서 디코딩했고, 그 아래 지도는 그 모델의 학습 "
        "코드를 격자와 같은 축에 찍은 것입니다. 코드가 하나도 없는 칸은 회색입니다."),
    "generate.no_pair": "{dataset}에는 비교할 2차원 코드의 일반 오토인코더와 VAE가 없습니다. 학습 페이지에서 잠재변수 "
                        "크기 2로 둘 다 학습하거나 `make checkpoints`를 실행하세요.",
    "generate.no_classifier": "{dataset}용 분류기가 없어 그림을 판정할 수 없습니다. `make checkpoints`를 실행하세요.",
    "generate.holes_running": "구멍을 재는 중(모델마다 한 번): 격자를 디코딩하고, 분류기에 묻고, 그림마다 가장 가까운 "
                              "학습 이미지를 찾습니다…",
    "generate.role.vae": "VAE",
    "generate.role.plain": "일반 오토인코더",
    "generate.empty_metric": "학습 코드가 없는 격자 칸",
    "generate.empty_help": "아래 격자의 {n} x {n}칸 중 어떤 학습 이미지의 코드도 들어가지 않는 칸의 비율: 코드 분포 "
                           "자체의 구멍입니다.",
    "generate.holes_window.vae": (
        "격자: 사전 분포의 5 %에서 95 % 분위수, 각 축에서 {u0}에서 {u1}까지이며 0이 중심입니다. 이 VAE의 코드는 "
        "사전 분포의 중심에서 벗어난 ({m1}, {m2}) 근처에 모여 있습니다. 격자의 중심은 코드가 아니라 0입니다."),
    "generate.holes_window.plain": "격자: 코드의 1번째에서 99번째 백분위수에 고르게, z1은 {u0}에서 {u1}, z2는 "
                                   "{v0}에서 {v1}.",
    "generate.col.figure": "지표",
    "generate.col.vae": "VAE",
    "generate.col.plain": "일반 오토인코더",
    "generate.col.real": "실제 테스트 이미지",
    "generate.fig.empty": "학습 코드가 없는 격자 칸 (낮을수록 코드 사이 구멍이 적음)",
    "generate.fig.recognised": "분류기가 확신도 0.9 이상으로 알아본 그림 (높을수록 실제처럼 보임)",
    "generate.fig.distance": "가장 가까운 학습 이미지까지의 평균 거리 (낮을수록 실제 이미지에 가까움)",
    "generate.verdict.empty": "**빈 칸이 더 적은 쪽:** {who}.",
    "generate.verdict.recognised": "**알아본 그림이 더 많은 쪽:** {who}.",
    "generate.verdict.distance": "**실제 이미지에 더 가까운 쪽:** {who}.",
    "generate.who.vae": "VAE",
    "generate.who.plain": "일반 오토인코더",
    "generate.holes_reading": (
        "읽는 법: 빈 칸은 학습 코드가 어디에 있는지를 세며, 이것이 곧 구멍입니다. 나머지 두 지표는 디코딩한 그림을 "
        "판정하므로 빈 칸과 같은 결론을 내지 않을 수 있습니다. VAE의 디코더는 잡음 섞인 코드로 배워서 어디서나 더 "
        "매끄럽고 흐린 그림을 그리고, 분류기는 그런 그림을 덜 확신합니다. 일반 오토인코더는 코드가 빽빽한 곳에서 "
        "선명한 그림을 그리고, 격자도 자기 코드의 범위에 펼쳐집니다. 그래서 그림 지표는 구멍이 더 많은 일반 "
        "오토인코더 쪽이 나을 수도 있으며, 여기의 어떤 숫자도 VAE에 구멍이 없음을 증명하지 않습니다. 실제 테스트 "
        "이미지는 목표가 아니라 잣대입니다. 매끄럽고 평범해 보이는 그림이 실제 테스트 이미지보다 학습 이미지에 더 "
        "가까울 수도 있습니다. 각 디코더가 회색 칸에서 무엇을 그리는지 직접 보세요."),
    "generate.holes_caption": (
        "격자 {n} x {n}. 판정: 실제 학습 이미지로 학습한 작은 CNN으로, 테스트 이미지 {tests}개 중 {acc}를 맞히고 "
        "{confident}에서 확신도 {threshold} 이상입니다. 실제 테스트 이미지: {real}개를 격자 그림과 같은 방법으로 "
        "쟀습니다. 거리: 픽셀 공간(0에서 1 사이 값 784개)의 유클리드 거리."),
}

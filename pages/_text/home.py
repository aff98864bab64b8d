"""Strings of the Home page."""

EN = {
    "home.title": "Home",
    "home.heading": "Autoencoder Lab: learning without a teacher",
    "home.intro": (
        "An **autoencoder** is a network trained to give back its own input: x goes in, x̂ comes out, "
        "and no labels are needed. The trick is the narrow middle: the **encoder** squeezes the image "
        "into a short **latent vector z**, and the **decoder** has to rebuild the image from z alone. "
        "Because z is a **bottleneck**, a network without shortcuts around it cannot copy pixels; it "
        "has to keep what matters most and drop the rest. The **reconstruction loss** (here the mean squared error between x and x̂) "
        "measures what was lost."),
    "home.diagram": "The active model, layer by layer",
    "home.diagram_caption": "Bar height shows how many numbers pass through each layer; z is the bottleneck.",
    "home.skip_caption": "Dotted arcs: skip connections. What a stage holds (feature maps, or the input itself) also "
                         "goes straight to the decoder, around z, so detail need not pass the bottleneck. This model "
                         "can therefore copy pixels, and its z is not all it knows about an image: it is a denoiser, "
                         "trained on damaged inputs; its near-perfect reconstructions of clean images say nothing "
                         "about how much z keeps. For the bottleneck at work, pick a model without skips.",
    "home.strip": "Test images and their reconstructions",
    "home.strip_caption": "Rows 1 and 3: twelve originals from the test split (never seen in training). Rows 2 and 4: "
                          "the active model's x̂, each under its original.",
    "home.mse_list": "MSE of each pair, in reading order: {values}",
    "home.mean_mse": "Mean MSE of these {n} images: {mse:.4f}",
    "home.pages": "Where to go next",
    "home.card.train": "Watch an autoencoder learn: loss curves, reconstructions and the latent map, epoch by epoch.",
    "home.card.latent": "Explore the latent space with t-SNE and PCA maps; click a point to find its neighbours.",
    "home.card.denoise": "Damage images with noise and see how well autoencoders restore them, against classical filters.",
    "home.card.generate": "Hand the decoder codes yourself: sliders, a map, a grid, paths between images, samples, "
                          "and the holes in a latent space.",
    "home.card.anomaly": "Train on normal images only and flag the rest by reconstruction error: threshold, "
                         "ROC curve, mistakes, and classical detectors beside the papers.",
    "home.card.compress": "Narrow the code from 64 numbers to 1: what goes first, and how it compares with PCA and "
                          "JPEG at the same bytes.",
    "home.card.library": "Take a model home as one file and bring it back; train on your own images.",
    "home.uses": "What autoencoders are used for",
    "home.use.anomaly": "**Anomaly detection**: inputs unlike the training data reconstruct badly; a high reconstruction error flags them.",
    "home.use.visual": "**Visualisation**: a 2- or 3-dimensional z is a map of the data you can look at.",
    "home.use.restore": "**Restoration**: a denoising autoencoder learns to turn damaged inputs into clean ones.",
    "home.use.meaning": "**Meaning extraction**: z keeps the features that matter, useful as input to other models.",
    "home.use.search": "**Image search**: images whose codes are close tend to look alike in meaning, not only in pixels.",
    "home.use.generate": "**Generative models**: decoders of variational autoencoders turn random codes into new images.",
    "home.encoder": "encoder",
    "home.decoder": "decoder",
}

KO = {
    "home.title": "홈",
    "home.heading": "오토인코더 실험실: 사람의 지도 없이 배우기",
    "home.intro": (
        "**오토인코더**는 입력을 그대로 다시 내놓도록 학습하는 신경망입니다. x가 들어가서 x̂이 나오고, 정답 레이블은 "
        "필요 없습니다. 핵심은 가운데가 좁다는 점입니다. **인코더**는 이미지를 짧은 **잠재변수 z**로 압축하고, "
        "**디코더**는 z만 보고 이미지를 다시 만들어야 합니다. z가 **병목** 역할을 하므로, z를 건너뛰는 지름길이 없는 "
        "신경망은 픽셀을 그대로 베낄 수 없고 가장 중요한 정보만 남기고 나머지는 버리게 됩니다. 무엇을 잃었는지는 **복원오차**(여기서는 x와 x̂의 평균제곱오차)로 잽니다."),
    "home.diagram": "지금 선택한 모델의 층 구조",
    "home.diagram_caption": "막대 높이는 각 층을 지나는 숫자의 개수입니다. 가장 좁은 곳 z가 병목입니다.",
    "home.skip_caption": "점선 호: 스킵 연결입니다. 그 단계가 가진 것(특징 맵이나 입력 자체)이 z를 거치지 않고 디코더로도 "
                         "바로 가므로, 세부가 병목을 지나지 않아도 됩니다. 그래서 이 모델은 픽셀을 베낄 수 있고, z가 "
                         "이미지에 대해 아는 전부가 아닙니다. 망가진 입력으로 학습한 잡음 제거 모델이라, 깨끗한 이미지를 "
                         "거의 완벽하게 복원해도 z가 얼마나 담는지는 알 수 없습니다. 병목이 하는 일을 보려면 스킵 연결이 "
                         "없는 모델을 고르세요.",
    "home.strip": "테스트 이미지와 복원 결과",
    "home.strip_caption": "1·3줄: 학습에 쓰지 않은 테스트 이미지 원본 12장. 2·4줄: 선택한 모델이 복원한 x̂, 각각 원본 바로 아래에 "
                          "있습니다.",
    "home.mse_list": "각 쌍의 MSE (읽는 순서대로): {values}",
    "home.mean_mse": "이 {n}장의 평균 MSE: {mse:.4f}",
    "home.pages": "다음으로 가 볼 곳",
    "home.card.train": "오토인코더가 배우는 과정을 지켜보세요. 에폭마다 손실 곡선, 복원 이미지, 잠재 공간 지도가 바뀝니다.",
    "home.card.latent": "t-SNE와 PCA 지도로 잠재 공간을 탐색하고, 점을 눌러 가까운 이웃을 찾아보세요.",
    "home.card.denoise": "이미지에 잡음을 넣고 오토인코더가 얼마나 잘 복원하는지 고전적인 필터와 비교해 보세요.",
    "home.card.generate": "디코더에 코드를 직접 건네 보세요: 슬라이더, 지도, 격자, 보간, 샘플, 그리고 잠재 공간의 "
                          "구멍.",
    "home.card.anomaly": "정상 이미지만 배운 모델이 복원오차로 나머지를 찾아냅니다: 임계값, ROC 곡선, 틀린 판정, "
                         "그리고 고전적인 탐지기와 논문 비교.",
    "home.card.compress": "코드를 숫자 64개에서 1개까지 좁혀 보세요. 무엇이 먼저 사라지는지, 같은 바이트에서 PCA, "
                          "JPEG와 비교하면 어떤지 봅니다.",
    "home.card.library": "모델을 파일 하나로 내려받았다가 다시 올리고, 내 이미지로 학습해 보세요.",
    "home.uses": "오토인코더는 어디에 쓰일까",
    "home.use.anomaly": "**비정상 검출**: 학습 데이터와 다른 입력은 잘 복원되지 않으므로 복원오차가 큰 것을 찾아냅니다.",
    "home.use.visual": "**시각화**: 2차원이나 3차원 z는 그대로 데이터의 지도가 됩니다.",
    "home.use.restore": "**복원**: 잡음 제거 오토인코더는 망가진 입력을 깨끗한 이미지로 되돌리도록 배웁니다.",
    "home.use.meaning": "**의미 추출**: z에는 중요한 특징이 압축되어 다른 모델의 입력으로 쓰기 좋습니다.",
    "home.use.search": "**이미지 검색**: 잠재변수가 가까운 이미지는 픽셀이 아니라 의미가 비슷한 경우가 많습니다.",
    "home.use.generate": "**생성 모델**: 변분 오토인코더의 디코더는 무작위 z로 새 이미지를 만듭니다.",
    "home.encoder": "인코더",
    "home.decoder": "디코더",
}

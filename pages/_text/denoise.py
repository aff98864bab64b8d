"""Strings of the Denoising page."""

EN = {
    "denoise.title": "Denoising",
    "denoise.heading": "Denoising lab: damage images, restore them, measure",
    "denoise.intro": (
        "Damage images with noise, then let two autoencoders restore them: a **plain** one, trained only "
        "to give back clean images, and a **denoising** one, trained to turn damaged inputs into the clean "
        "originals. Classical filters get the same damaged images, so every figure has something to beat."),
    "denoise.why": "Why does an autoencoder remove noise at all?",
    "denoise.why_text": (
        "**The bottleneck already filters.** The encoder has to squeeze 784 pixels into a short latent "
        "vector z, and the decoder can only draw images like the ones it was trained on. Random specks do "
        "not fit into z, so a plain autoencoder drops part of the noise for free, as long as the damaged "
        "image still looks like its training data. Heavy damage pushes z to the wrong place: the plain "
        "model then draws a clean-looking but wrong image, or a blur.\n\n"
        "**Training on damaged inputs adds the rest.** A denoising autoencoder sees a damaged image as "
        "input but is scored against the clean original (its reconstruction loss compares x̂ with the clean "
        "x). It learns what the damage looks like and how to undo it: where the pepper dots are, how a "
        "stroke continues under a black block. That is why it keeps its quality at levels where the plain "
        "model and the filters give up. Filters only know the neighbouring pixels; the autoencoders know "
        "what clothes or digits look like.\n\n"
        "**Skip connections carry the detail.** A U-Net denoiser also hands the encoder's feature maps to the "
        "decoder, around z. The pixels the damage left alone and the exact position of every edge then "
        "need not squeeze through the code. A lighter way: the refined conv model draws its picture from z "
        "alone, then a few small layers compare that picture with the damaged input and correct it where "
        "the input can be trusted. Such models could learn to copy their input, so only the damage in "
        "training keeps them honest: they are denoisers, not bottlenecks."),
    "denoise.plain": "Plain autoencoder",
    "denoise.plain_help": "Trained on clean images only. Checkpoints of the active model's dataset.",
    "denoise.denoiser": "Denoising autoencoder",
    "denoise.denoiser_help": "Trained on damaged inputs with clean targets (its checkpoint lists the noise kinds).",
    "denoise.unseen": "**{name}** was trained on {kinds} only, not on {kind}: expect less from it here, and "
                      "pick a denoiser trained on {kind} to see what that training adds.",
    "denoise.no_denoiser": "There is no denoising autoencoder for {dataset} yet: train one on the Train page "
                           "with a noise kind ticked. The rest of the comparison is shown.",
    "denoise.no_plain": "There is no plain autoencoder for {dataset}; only the denoiser is shown.",
    "denoise.dataset": "Images come from the {dataset} test split, the dataset of the active model.",
    "denoise.source": "Images",
    "denoise.source.batch": "Random test images",
    "denoise.source.index": "One test image",
    "denoise.source.upload": "Upload an image",
    "denoise.source.draw": "Draw one",
    "denoise.n": "How many",
    "denoise.other_images": "Other images",
    "denoise.index": "Test image number",
    "denoise.index_label": "Class: {label}",
    "denoise.upload": "An image file (PNG, JPEG, GIF, BMP, WebP, TIFF; up to 5 MB)",
    "denoise.upload_help": "Prepared like the training data: grayscale, light ink on black, cropped, "
                           "fitted and centred in 28x28.",
    "denoise.upload_hint": "Choose an image file to damage and restore.",
    "denoise.drawn_digit": "The active model learned {dataset}: a drawn digit comes back as the nearest thing it "
                           "knows, often a shirt or a bag. Pick an MNIST model in the sidebar to restore digits.",
    "denoise.left_to_right": "Left to right: {what}",
    "denoise.prepared": "Prepared 28x28 input",
    "denoise.prepare_caption_mnist": "Fitted into 20x20 and centred by its centre of mass, as in MNIST.",
    "denoise.prepare_caption_fashion": "Fitted into 28x28 and centred, as in Fashion-MNIST.",
    "denoise.draw_hint": "Draw with the mouse in the black square (the bin icon clears it).",
    "denoise.noise": "Noise",
    "denoise.fresh": "Fresh noise",
    "denoise.fresh_help": "The same slider position always gives the same damage; this draws a new one.",
    "denoise.images": "Damaged and restored",
    "denoise.row.original": "original",
    "denoise.row.damaged": "damaged",
    "denoise.row.plain": "plain AE",
    "denoise.row.denoiser": "denoising AE",
    "denoise.row.error": "error |x̂ − x| of the {which}",
    "denoise.method.none": "Damaged input (doing nothing)",
    "denoise.method.median3": "Median filter 3x3",
    "denoise.method.gaussian_blur": "Gaussian blur",
    "denoise.method.total_variation": "Total variation (Chambolle)",
    "denoise.method.plain": "Plain AE: {name}",
    "denoise.method.denoiser": "Denoising AE: {name}",
    "denoise.table": "How close to the original? (mean over n = {n})",
    "denoise.table_caption": "Lower MSE, higher PSNR and SSIM are better. Every row restores the same damaged images.",
    "denoise.col.method": "Restored by",
    "denoise.col.gain": "gain (dB)",
    "denoise.per_image": "Figures per image",
    "denoise.metric_pick": "Figure",
    "denoise.image_n": "Image",
    "denoise.curve": "PSNR from clean to heavy noise",
    "denoise.curve_caption": "Mean PSNR of {n} fixed test images at each level; the dashed red line is the slider. "
                             "Computed once per model and noise kind, then cached.",
    "denoise.marker": "now",
    "denoise.timing": "Server time for this update: {ms:.0f} ms",
}

KO = {
    "denoise.title": "잡음 제거",
    "denoise.heading": "잡음 제거 실험실: 망가뜨리고, 복원하고, 재 보기",
    "denoise.intro": (
        "이미지에 잡음을 넣어 망가뜨린 뒤 두 오토인코더에게 복원을 맡깁니다. 하나는 깨끗한 이미지를 그대로 "
        "되돌리도록만 학습한 **일반** 오토인코더이고, 다른 하나는 망가진 입력을 깨끗한 원본으로 되돌리도록 "
        "학습한 **잡음 제거** 오토인코더입니다. 고전적인 필터도 똑같이 망가진 이미지를 받으므로, 모든 숫자에는 "
        "넘어야 할 비교 대상이 있습니다."),
    "denoise.why": "오토인코더는 왜 잡음을 지울 수 있을까요?",
    "denoise.why_text": (
        "**병목이 이미 거름망 역할을 합니다.** 인코더는 784개의 픽셀을 짧은 잠재변수 z로 압축해야 하고, "
        "디코더는 학습할 때 본 것과 비슷한 이미지만 그릴 수 있습니다. 무작위로 흩어진 점들은 z에 담기지 않으므로, "
        "망가진 이미지가 학습 데이터와 여전히 닮았다면 일반 오토인코더도 잡음의 일부를 저절로 걸러 냅니다. "
        "하지만 심하게 망가지면 z가 엉뚱한 곳에 놓여, 깨끗해 보이지만 틀린 이미지나 흐릿한 이미지를 그리게 됩니다.\n\n"
        "**망가진 입력으로 학습하면 나머지를 채웁니다.** 잡음 제거 오토인코더는 망가진 이미지를 입력으로 받지만, "
        "복원오차는 깨끗한 원본 x와 비교해서 계산합니다. 그래서 잡음이 어떻게 생겼고 어떻게 되돌리는지를 배웁니다. "
        "후추 같은 점이 어디 있는지, 검은 블록 아래로 획이 어떻게 이어지는지 같은 것들이죠. 일반 모델과 필터가 "
        "포기하는 수준에서도 품질을 지키는 이유입니다. 필터는 이웃한 픽셀만 알지만, 오토인코더는 옷이나 숫자가 "
        "어떻게 생겼는지 압니다.\n\n"
        "**스킵 연결은 세부를 실어 나릅니다.** U-Net 잡음 제거 모델은 인코더의 특징 맵을 z를 거치지 않고 디코더에 "
        "바로 넘깁니다. 그래서 손상되지 않은 픽셀과 경계선의 정확한 위치가 좁은 코드를 통과하지 않아도 됩니다. "
        "더 가벼운 방법도 있습니다. 입력으로 다듬는 합성곱 모델은 z만으로 그림을 그린 뒤, 작은 층 몇 개가 그 그림을 "
        "망가진 입력과 나란히 보고 입력을 믿을 수 있는 곳을 고칩니다. "
        "이런 모델은 입력을 그대로 베끼는 법을 배울 수도 있어서, 학습 때 주는 손상만이 그것을 막아 줍니다. "
        "병목이 아니라 잡음 제거로 배우는 모델입니다."),
    "denoise.plain": "일반 오토인코더",
    "denoise.plain_help": "깨끗한 이미지로만 학습한 모델입니다. 지금 선택한 모델과 같은 데이터셋의 체크포인트만 보입니다.",
    "denoise.denoiser": "잡음 제거 오토인코더",
    "denoise.denoiser_help": "망가진 입력과 깨끗한 정답으로 학습한 모델입니다(체크포인트에 잡음 종류가 적혀 있습니다).",
    "denoise.unseen": "**{name}**은(는) {kinds} 잡음으로만 학습했고 {kind} 잡음은 본 적이 없습니다. 그래서 여기서는 "
                      "덜 복원될 수 있습니다. {kind} 잡음으로 학습한 모델을 고르면 그 학습이 무엇을 더하는지 볼 수 있습니다.",
    "denoise.no_denoiser": "{dataset}용 잡음 제거 오토인코더가 아직 없습니다. 학습 페이지에서 잡음 종류를 골라 "
                           "학습해 보세요. 나머지 비교는 그대로 보여 줍니다.",
    "denoise.no_plain": "{dataset}용 일반 오토인코더가 없어 잡음 제거 모델만 보여 줍니다.",
    "denoise.dataset": "이미지는 지금 선택한 모델의 데이터셋인 {dataset}의 테스트 세트에서 가져옵니다.",
    "denoise.source": "이미지",
    "denoise.source.batch": "무작위 테스트 이미지",
    "denoise.source.index": "테스트 이미지 한 장",
    "denoise.source.upload": "이미지 올리기",
    "denoise.source.draw": "직접 그리기",
    "denoise.n": "몇 장",
    "denoise.other_images": "다른 이미지",
    "denoise.index": "테스트 이미지 번호",
    "denoise.index_label": "클래스: {label}",
    "denoise.upload": "이미지 파일 (PNG, JPEG, GIF, BMP, WebP, TIFF, 5MB까지)",
    "denoise.upload_help": "학습 데이터와 같은 방식으로 준비합니다: 흑백으로 바꾸고, 검은 바탕에 밝은 획으로 "
                           "맞추고, 내용만 잘라 28x28 가운데에 놓습니다.",
    "denoise.upload_hint": "망가뜨리고 복원해 볼 이미지 파일을 고르세요.",
    "denoise.drawn_digit": "지금 모델은 {dataset}을(를) 배웠습니다. 손으로 그린 숫자는 모델이 아는 가장 비슷한 것, "
                           "흔히 셔츠나 가방으로 되돌아옵니다. 숫자를 복원하려면 사이드바에서 MNIST 모델을 고르세요.",
    "denoise.left_to_right": "왼쪽부터: {what}",
    "denoise.prepared": "준비된 28x28 입력",
    "denoise.prepare_caption_mnist": "MNIST처럼 20x20 안에 맞추고 무게중심이 가운데 오도록 놓았습니다.",
    "denoise.prepare_caption_fashion": "Fashion-MNIST처럼 28x28 안에 맞추고 가운데 놓았습니다.",
    "denoise.draw_hint": "검은 칸에 마우스로 그려 보세요(휴지통 아이콘으로 지웁니다).",
    "denoise.noise": "잡음",
    "denoise.fresh": "새 잡음",
    "denoise.fresh_help": "슬라이더 위치가 같으면 언제나 같은 잡음이 들어갑니다. 이 버튼은 새 잡음을 뽑습니다.",
    "denoise.images": "망가진 이미지와 복원 결과",
    "denoise.row.original": "원본",
    "denoise.row.damaged": "망가진 입력",
    "denoise.row.plain": "일반 AE",
    "denoise.row.denoiser": "잡음 제거 AE",
    "denoise.row.error": "{which}의 오차 |x̂ − x|",
    "denoise.method.none": "망가진 입력 그대로(아무것도 안 함)",
    "denoise.method.median3": "3x3 중앙값 필터",
    "denoise.method.gaussian_blur": "가우시안 블러",
    "denoise.method.total_variation": "총변이(TV) 잡음 제거",
    "denoise.method.plain": "일반 AE: {name}",
    "denoise.method.denoiser": "잡음 제거 AE: {name}",
    "denoise.table": "원본에 얼마나 가까울까요? ({n}장 평균)",
    "denoise.table_caption": "MSE는 낮을수록, PSNR과 SSIM은 높을수록 좋습니다. 모든 행이 똑같이 망가진 이미지를 복원합니다.",
    "denoise.col.method": "복원 방법",
    "denoise.col.gain": "향상(dB)",
    "denoise.per_image": "이미지별 수치",
    "denoise.metric_pick": "지표",
    "denoise.image_n": "이미지",
    "denoise.curve": "깨끗한 이미지부터 심한 잡음까지의 PSNR",
    "denoise.curve_caption": "고정된 테스트 이미지 {n}장의 수준별 평균 PSNR입니다. 빨간 점선이 슬라이더 위치입니다. "
                             "모델과 잡음 종류마다 한 번 계산해 저장해 둡니다.",
    "denoise.marker": "지금",
    "denoise.timing": "이번 갱신의 서버 처리 시간: {ms:.0f} ms",
}

"""Strings of the Anomaly page (and the labels of ae.anomaly.SCORES and BASELINES)."""

EN = {
    "anomaly.title": "Anomaly detection",
    "anomaly.heading": "Anomaly lab: find what does not belong by its reconstruction error",
    "anomaly.intro": (
        "An autoencoder that learned only **normal** images redraws them well, and anything else badly. So its "
        "reconstruction error is a score: the higher it is, the less the image looks like what the model knows. "
        "Pick the normal class, set a threshold, and see what the model flags, what it misses, and how it compares "
        "with classical detectors and with the papers."),
    "anomaly.own_models": (
        "This page uses its own one-class models, each trained on one normal class only. The model chosen in the "
        "sidebar is not used here."),
    "anomaly.dataset": "Dataset",
    "anomaly.normal": "Normal class(es)",
    "anomaly.normal_help": "The model learns these classes only; every other class of the test split is an anomaly.",
    "anomaly.source": "Model",
    "anomaly.source.shipped": "Shipped",
    "anomaly.source.train": "Train here",
    "anomaly.loading_data": "Loading the images…",
    "anomaly.protocol": (
        "**The protocol** (Ruff et al. 2018; Golan & El-Yaniv 2018). Normal: **{normal}**. The model is trained on "
        "the **{train}** training images of the normal class(es) only, and tested on the whole test split: **{test}** "
        "images, {n_normal} normal and {n_anomalous} anomalous. Score: each image's mean squared reconstruction error "
        "(the sum ranks the same). Metric: AUROC, the chance that a random anomaly scores above a random normal "
        "image (50 = guessing, 100 = perfect), and AUPR. **No test labels are used to choose anything**: the model "
        "and the scores were chosen on training images only, and the threshold starts where 5 % of the normal "
        "*training* images' scores lie above it."),
    "anomaly.indicative": (
        "MNIST here is the 5,000-digit offline set (1,000 test images), not the full 70,000: its figures are "
        "indicative only."),
    "anomaly.no_shipped": (
        "No model is shipped for this choice ({name}: one model per single Fashion-MNIST class is shipped). "
        "Choose \"Train here\" above to train one."),
    "anomaly.loading": "Loading the one-class model…",
    "anomaly.shipped_caption": (
        "Model `{name}`: a convolutional autoencoder with a code of {z} numbers, trained for {epochs} epochs; it "
        "was trained with {seeds} seeds, and seed {seed} is shipped."),
    "anomaly.epochs": "Epochs",
    "anomaly.epochs_help": "Fixed before training: the test AUROC after each epoch is shown, never used to stop.",
    "anomaly.train": "Train a one-class model",
    "anomaly.train_first": (
        "Press the button to train a convolutional autoencoder on the normal training images only. It trains in "
        "the background (about a minute per 10 epochs for one class); the test AUROC appears after each epoch."),
    "anomaly.training": "Training: epoch {epoch} of {epochs} done ({time})",
    "anomaly.training_done": "Trained: {epoch} of {epochs} epochs in {time}",
    "anomaly.stop": "Stop",
    "anomaly.queued": "Waiting for the server's other trainings to finish: number {n} in line.",
    "anomaly.stopped": "Stopped before it started: press the button to train again.",
    "anomaly.epoch": "epoch",
    "anomaly.auroc_epoch": "test AUROC (reconstruction error)",
    "anomaly.auroc_epoch_caption": (
        "Test AUROC of the reconstruction error after each epoch, now {auroc}: shown to watch, not used to choose "
        "anything. This model lives in your session only."),
    "anomaly.score": "Score",
    "anomaly.score_help": "What makes an image anomalous. The table further down compares every score.",
    "anomaly.scoring": "Scoring the {n} test images (once per model)…",
    "anomaly.scoring_train": "Scoring the normal training images for the starting threshold…",
    # histogram and threshold
    "anomaly.threshold_head": "Scores and threshold",
    "anomaly.threshold_intro": (
        "Every test image gets a score. Images at or above the threshold are flagged as anomalous. Move it and "
        "watch the trade-off: a low threshold catches more anomalies but raises more false alarms."),
    "anomaly.threshold": "Threshold",
    "anomaly.threshold_help": "Images with a score at or above it are flagged. It starts at the 95th percentile of "
                              "the normal training images' scores.",
    "anomaly.log": "Log scale",
    "anomaly.log_help": "Score axis on a log scale (for scores above zero): the long tail of anomalies fits.",
    "anomaly.normal_word": "normal",
    "anomaly.anomalous_word": "anomalous",
    "anomaly.images": "share of the group (%)",
    "anomaly.histogram_caption": (
        "Scores of the {n} normal (blue) and {a} anomalous (red) test images, each group in percent of itself; "
        "the dashed line is the threshold, a green line your own image."),
    "anomaly.at_threshold": "At this threshold",
    "anomaly.truth.normal": "Truly normal",
    "anomaly.truth.anomalous": "Truly anomalous",
    "anomaly.said.normal": "Judged normal",
    "anomaly.said.anomalous": "Judged anomalous",
    "anomaly.confusion_caption": "Confusion matrix: rows are the truth, columns the verdict.",
    "anomaly.metric.precision": "Precision",
    "anomaly.metric.precision_help": "Of the flagged images, the share that really are anomalies.",
    "anomaly.metric.recall": "Recall",
    "anomaly.metric.recall_help": "Of the anomalies, the share flagged (the true-positive rate).",
    "anomaly.metric.f1": "F1",
    "anomaly.metric.f1_help": "The harmonic mean of precision and recall.",
    "anomaly.metric.fpr": "False-positive rate",
    "anomaly.metric.fpr_help": "Of the normal images, the share flagged: false alarms.",
    "anomaly.metrics_caption": "{tp} anomalies caught, {fp} false alarms, {fn} anomalies missed.",
    "anomaly.roc_title": "ROC curve · AUROC {area}",
    "anomaly.pr_title": "Precision-recall curve · AUPR {area}",
    "anomaly.roc_name": "ROC",
    "anomaly.pr_name": "precision-recall",
    "anomaly.curves_caption": (
        "Each point of a curve is one threshold; the circle is the current one. The dotted diagonal is guessing. "
        "With 9 anomalies per normal image, precision stays high even for a weak detector: AUROC is the fairer "
        "figure."),
    # your own image
    "anomaly.own": "Your own image",
    "anomaly.own_source": "From",
    "anomaly.own.upload": "Upload",
    "anomaly.own.draw": "Drawing",
    "anomaly.upload_help": "Prepared like the training data: grayscale, light on black, cropped, fitted and centred "
                           "in 28x28.",
    "anomaly.own_hint": "Upload or draw an image: its score lands on the histogram, with the verdict at the "
                        "current threshold.",
    "anomaly.own_mark": "your image",
    "anomaly.verdict.anomalous": "Anomalous: score {score} is at or above the threshold {threshold}.",
    "anomaly.verdict.normal": "Normal: score {score} is below the threshold {threshold}.",
    "anomaly.row.own": "your image",
    "anomaly.row.heatmap": "squared error (bright = large)",
    # mistakes
    "anomaly.mistakes": "The mistakes, in pictures",
    "anomaly.false_alarms": "False alarms: normal images flagged, most anomalous first ({n} shown)",
    "anomaly.missed": "Missed anomalies: let through, least anomalous first ({n} shown)",
    "anomaly.none.false_alarms": "No normal image is at or above this threshold.",
    "anomaly.none.missed": "No anomaly is below this threshold.",
    "anomaly.row.false_alarms": "normal images flagged",
    "anomaly.row.missed": "anomalies let through",
    "anomaly.scores_are": "Their scores, left to right (class): {scores}",
    "anomaly.odd": "The odd ones of the normal class",
    "anomaly.row.odd": "the 16 normal test images with the highest scores",
    "anomaly.odd_caption": "What the model finds unusual about its own class ({score}), whatever the threshold: "
                           "rare shapes, prints, unusual brightness.",
    # other scores
    "anomaly.scores": "Other scores an autoencoder gives",
    "anomaly.scores_intro": (
        "Reconstruction error is one way to say \"this does not belong\". The same model gives others; which one "
        "separates best is a matter of measurement."),
    "anomaly.score_all": "Compute every score on the test images",
    "anomaly.scoring_all": "Scoring the test images with every score (once per model)…",
    "anomaly.col.score": "Score",
    "anomaly.col.what": "What it measures",
    "anomaly.col.auroc": "AUROC here",
    "anomaly.col.aupr": "AUPR here",
    "anomaly.col.recorded": "AUROC recorded (mean ± std over seeds)",
    "anomaly.scores_caption": (
        "\"Here\": this model on the test split above (— until computed). \"Recorded\": measured when the models "
        "were trained, mean ± standard deviation over the seeds."),
    "anomaly.scores_caption_trained": "\"Here\": the model trained in this session, on the test split above (— until "
                                      "computed).",
    "anomaly.score.mse": "Reconstruction error (MSE)",
    "anomaly.score.smooth_mse": "Blurred reconstruction error",
    "anomaly.score.ssim": "SSIM error (1 − SSIM)",
    "anomaly.score.latent_knn": "Code distance (latent k-NN)",
    "anomaly.score.combined": "Combined (blurred error + code distance)",
    "anomaly.score.denoise": "Denoising error",
    "anomaly.what.mse": "Mean squared difference between the image and its reconstruction.",
    "anomaly.what.smooth_mse": "The same after blurring both: errors of shape and brightness, not of fine texture.",
    "anomaly.what.ssim": "How much of the image's local structure the reconstruction loses.",
    "anomaly.what.latent_knn": "Distance of the code z to its 5 nearest codes of normal training images.",
    "anomaly.what.combined": "Blurred error plus code distance, each in units of the normal training images' spread.",
    "anomaly.what.denoise": "Error of a denoising autoencoder of the same class restoring noisy copies.",
    # baselines and papers
    "anomaly.baselines": "Against classical detectors and the papers",
    "anomaly.baselines_intro": (
        "Classical detectors fitted on the same normal training images (no labels) and scored on the same test "
        "images, beside the published figures."),
    "anomaly.run_baselines": "Compute the baselines (about half a minute)",
    "anomaly.baselines_running": "Fitting the baselines…",
    "anomaly.baseline_done": "{name} done ({time})",
    "anomaly.baseline.pca": "PCA reconstruction error (95 % of the variance)",
    "anomaly.baseline.iforest": "Isolation Forest",
    "anomaly.baseline.ocsvm": "One-class SVM (ν 0.1, γ scale)",
    "anomaly.baseline.knn": "k-NN pixel distance (k 5)",
    "anomaly.col.method": "Method",
    "anomaly.col.note": "Note",
    "anomaly.ours": "Autoencoder: {score}",
    "anomaly.same_images": "same images, same split ({time})",
    "anomaly.published": "published, different preprocessing",
    "anomaly.published_note.RAW-OC-SVM": "tuned on the test labels, an upper bound",
    "anomaly.published_note.CAE-OC-SVM": "one-class SVM on an autoencoder's codes",
    "anomaly.published_note.GEOM": "classifier of geometric transformations",
    "anomaly.published_note.DCAE": "convolutional autoencoder, reconstruction error",
    "anomaly.published_note.One-class Deep SVDD": "network mapping normal images near one point",
    "anomaly.baselines_caption": (
        "The autoencoder's and the baselines' rows are this normal class on {dataset}'s test split. The published "
        "rows are means over all ten classes of the papers' own runs, with their own preprocessing: a reference, "
        "not a like-for-like comparison."),
}

KO = {
    "anomaly.title": "이상 탐지",
    "anomaly.heading": "이상 탐지 실험실: 복원오차로 어울리지 않는 이미지 찾기",
    "anomaly.intro": (
        "**정상** 이미지만 배운 오토인코더는 정상 이미지는 잘 복원하지만 그 밖의 이미지는 잘 복원하지 못합니다. 그래서 "
        "복원오차를 점수로 쓸 수 있습니다. 점수가 높을수록 모델이 아는 이미지와 다르다는 뜻입니다. 정상 클래스를 고르고 "
        "임계값을 정한 뒤, 모델이 무엇을 이상으로 판정하고 무엇을 놓치는지, 고전적인 탐지기와 논문의 결과에 비해 어떤지 "
        "살펴보세요."),
    "anomaly.own_models": (
        "이 페이지는 정상 클래스 하나만으로 학습한 전용 모델을 씁니다. 사이드바에서 고른 모델은 여기서 쓰이지 않습니다."),
    "anomaly.dataset": "데이터셋",
    "anomaly.normal": "정상 클래스",
    "anomaly.normal_help": "모델은 이 클래스만 배웁니다. 테스트 데이터의 나머지 클래스는 모두 이상입니다.",
    "anomaly.source": "모델",
    "anomaly.source.shipped": "기본 제공",
    "anomaly.source.train": "여기서 학습",
    "anomaly.loading_data": "이미지를 불러오는 중…",
    "anomaly.protocol": (
        "**실험 규약** (Ruff 외 2018; Golan & El-Yaniv 2018). 정상: **{normal}**. 모델은 정상 클래스의 학습 이미지 "
        "**{train}**장만으로 학습하고, 테스트 데이터 전체로 평가합니다: **{test}**장 중 정상 {n_normal}장, 이상 "
        "{n_anomalous}장. 점수: 이미지마다의 평균 제곱 복원오차(합으로 해도 순위는 같습니다). 지표: AUROC(무작위로 고른 "
        "이상 이미지가 무작위로 고른 정상 이미지보다 높은 점수를 받을 확률, 50은 찍기, 100은 완벽)와 AUPR. "
        "**테스트 레이블은 어떤 선택에도 쓰지 않습니다**: 모델과 점수는 학습 이미지만으로 골랐고, 임계값은 정상 "
        "*학습* 이미지 점수의 상위 5 % 지점에서 시작합니다."),
    "anomaly.indicative": (
        "여기의 MNIST는 오프라인용 5,000장 모음(테스트 1,000장)이며 전체 70,000장이 아닙니다. 이 수치는 참고용입니다."),
    "anomaly.no_shipped": (
        "이 선택에 맞는 기본 제공 모델이 없습니다({name}: Fashion-MNIST의 클래스 하나마다 모델 하나가 제공됩니다). "
        "위에서 \"여기서 학습\"을 골라 직접 학습해 보세요."),
    "anomaly.loading": "단일 클래스 모델을 불러오는 중…",
    "anomaly.shipped_caption": (
        "모델 `{name}`: 잠재변수 z가 {z}개 숫자인 합성곱 오토인코더로, {epochs} 에폭 학습했습니다. 시드 {seeds}개로 "
        "학습했고 그중 시드 {seed}의 모델을 제공합니다."),
    "anomaly.epochs": "에폭 수",
    "anomaly.epochs_help": "학습 전에 정합니다. 에폭마다 테스트 AUROC를 보여 주지만, 멈출 시점을 고르는 데 쓰지 않습니다.",
    "anomaly.train": "단일 클래스 모델 학습",
    "anomaly.train_first": (
        "버튼을 누르면 정상 학습 이미지만으로 합성곱 오토인코더를 학습합니다. 학습은 백그라운드에서 진행되며(클래스 "
        "하나에 10 에폭이면 1분 안팎), 에폭마다 테스트 AUROC가 나타납니다."),
    "anomaly.training": "학습 중: {epochs} 에폭 중 {epoch} 에폭 완료 ({time})",
    "anomaly.training_done": "학습 완료: {epochs} 에폭 중 {epoch} 에폭, {time}",
    "anomaly.stop": "중지",
    "anomaly.queued": "서버의 다른 학습이 끝나기를 기다리는 중입니다: 대기 순서 {n}번째.",
    "anomaly.stopped": "시작하기 전에 중지했습니다. 다시 학습하려면 버튼을 누르세요.",
    "anomaly.epoch": "에폭",
    "anomaly.auroc_epoch": "테스트 AUROC (복원오차)",
    "anomaly.auroc_epoch_caption": (
        "에폭마다 잰 복원오차의 테스트 AUROC, 지금 {auroc}: 지켜보기만 할 뿐 어떤 선택에도 쓰지 않습니다. 이 모델은 "
        "지금 세션에만 있습니다."),
    "anomaly.score": "점수",
    "anomaly.score_help": "무엇을 이상의 근거로 삼을지 고릅니다. 아래 표에서 모든 점수를 비교합니다.",
    "anomaly.scoring": "테스트 이미지 {n}장의 점수를 계산하는 중(모델마다 한 번)…",
    "anomaly.scoring_train": "시작 임계값을 정하려고 정상 학습 이미지의 점수를 계산하는 중…",
    "anomaly.threshold_head": "점수와 임계값",
    "anomaly.threshold_intro": (
        "테스트 이미지마다 점수가 있고, 임계값 이상이면 이상으로 판정합니다. 임계값을 움직이며 맞바꿈을 보세요. "
        "임계값을 낮추면 이상을 더 많이 잡지만 잘못된 경보도 늘어납니다."),
    "anomaly.threshold": "임계값",
    "anomaly.threshold_help": "점수가 이 값 이상인 이미지를 이상으로 판정합니다. 정상 학습 이미지 점수의 95번째 "
                              "백분위수에서 시작합니다.",
    "anomaly.log": "로그 눈금",
    "anomaly.log_help": "점수 축을 로그 눈금으로 봅니다(점수가 0보다 클 때). 이상 이미지의 긴 꼬리까지 한눈에 들어옵니다.",
    "anomaly.normal_word": "정상",
    "anomaly.anomalous_word": "이상",
    "anomaly.images": "집단 안의 비율 (%)",
    "anomaly.histogram_caption": (
        "정상 테스트 이미지 {n}장(파랑)과 이상 이미지 {a}장(빨강)의 점수. 두 집단을 각각 자기 안의 비율(%)로 그렸습니다. "
        "점선은 임계값, 초록 선은 직접 넣은 이미지입니다."),
    "anomaly.at_threshold": "이 임계값에서",
    "anomaly.truth.normal": "실제 정상",
    "anomaly.truth.anomalous": "실제 이상",
    "anomaly.said.normal": "정상으로 판정",
    "anomaly.said.anomalous": "이상으로 판정",
    "anomaly.confusion_caption": "혼동 행렬: 행은 실제, 열은 판정입니다.",
    "anomaly.metric.precision": "정밀도",
    "anomaly.metric.precision_help": "이상으로 판정한 이미지 가운데 실제로 이상인 비율.",
    "anomaly.metric.recall": "재현율",
    "anomaly.metric.recall_help": "실제 이상 이미지 가운데 이상으로 판정한 비율(참양성률).",
    "anomaly.metric.f1": "F1 점수",
    "anomaly.metric.f1_help": "정밀도와 재현율의 조화 평균.",
    "anomaly.metric.fpr": "거짓양성률",
    "anomaly.metric.fpr_help": "정상 이미지 가운데 이상으로 판정한 비율: 잘못된 경보.",
    "anomaly.metrics_caption": "잡아낸 이상 {tp}장, 잘못된 경보 {fp}장, 놓친 이상 {fn}장.",
    "anomaly.roc_title": "ROC 곡선 · AUROC {area}",
    "anomaly.pr_title": "정밀도-재현율 곡선 · AUPR {area}",
    "anomaly.roc_name": "ROC 곡선",
    "anomaly.pr_name": "정밀도-재현율",
    "anomaly.curves_caption": (
        "곡선의 점 하나가 임계값 하나이고, 동그라미가 지금 임계값입니다. 점선 대각선은 찍기와 같습니다. 정상 한 장에 "
        "이상이 9장이라 약한 탐지기도 정밀도는 높게 나옵니다. 그래서 AUROC가 더 공정한 지표입니다."),
    "anomaly.own": "직접 넣은 이미지",
    "anomaly.own_source": "입력 방법",
    "anomaly.own.upload": "업로드",
    "anomaly.own.draw": "그리기",
    "anomaly.upload_help": "학습 데이터처럼 준비합니다: 흑백, 검은 바탕에 밝은 그림, 잘라 내어 28x28 가운데에 맞춥니다.",
    "anomaly.own_hint": "이미지를 올리거나 그려 보세요. 그 점수가 히스토그램에 표시되고, 지금 임계값에서의 판정이 나옵니다.",
    "anomaly.own_mark": "내 이미지",
    "anomaly.verdict.anomalous": "이상: 점수 {score}가 임계값 {threshold} 이상입니다.",
    "anomaly.verdict.normal": "정상: 점수 {score}가 임계값 {threshold}보다 낮습니다.",
    "anomaly.row.own": "내 이미지",
    "anomaly.row.heatmap": "제곱 오차(밝을수록 큼)",
    "anomaly.mistakes": "틀린 판정을 그림으로",
    "anomaly.false_alarms": "잘못된 경보: 이상으로 판정된 정상 이미지, 점수가 높은 순 ({n}장)",
    "anomaly.missed": "놓친 이상: 정상으로 통과한 이상 이미지, 점수가 낮은 순 ({n}장)",
    "anomaly.none.false_alarms": "이 임계값 이상인 정상 이미지가 없습니다.",
    "anomaly.none.missed": "이 임계값보다 낮은 이상 이미지가 없습니다.",
    "anomaly.row.false_alarms": "이상으로 판정된 정상 이미지",
    "anomaly.row.missed": "통과한 이상 이미지",
    "anomaly.scores_are": "왼쪽부터 점수(클래스): {scores}",
    "anomaly.odd": "정상 클래스 안의 별난 이미지",
    "anomaly.row.odd": "점수가 가장 높은 정상 테스트 이미지 16장",
    "anomaly.odd_caption": "임계값과 상관없이, 모델이 자기 클래스에서 낯설게 여기는 이미지입니다({score}): 드문 모양, "
                           "무늬, 남다른 밝기.",
    "anomaly.scores": "오토인코더가 주는 다른 점수",
    "anomaly.scores_intro": (
        "복원오차는 \"어울리지 않는다\"를 말하는 한 가지 방법일 뿐입니다. 같은 모델로 다른 점수도 낼 수 있고, 어느 점수가 "
        "가장 잘 가르는지는 재 봐야 압니다."),
    "anomaly.score_all": "테스트 이미지에 모든 점수 계산하기",
    "anomaly.scoring_all": "테스트 이미지의 모든 점수를 계산하는 중(모델마다 한 번)…",
    "anomaly.col.score": "점수",
    "anomaly.col.what": "재는 것",
    "anomaly.col.auroc": "AUROC (여기)",
    "anomaly.col.aupr": "AUPR (여기)",
    "anomaly.col.recorded": "기록된 AUROC (시드 평균 ± 표준편차)",
    "anomaly.scores_caption": (
        "\"여기\": 위의 테스트 데이터에서 이 모델의 값(계산 전에는 —). \"기록된\": 모델을 학습할 때 잰 값으로, 시드들의 "
        "평균 ± 표준편차입니다."),
    "anomaly.scores_caption_trained": "\"여기\": 이 세션에서 학습한 모델의 위 테스트 데이터에서의 값(계산 전에는 —).",
    "anomaly.score.mse": "복원오차 (MSE)",
    "anomaly.score.smooth_mse": "흐리게 한 복원오차",
    "anomaly.score.ssim": "SSIM 오차 (1 − SSIM)",
    "anomaly.score.latent_knn": "잠재 공간 거리 (최근접 이웃)",
    "anomaly.score.combined": "결합 점수 (흐린 복원오차 + 잠재 거리)",
    "anomaly.score.denoise": "잡음 제거 오차",
    "anomaly.what.mse": "이미지와 복원 이미지의 평균 제곱 차이.",
    "anomaly.what.smooth_mse": "둘 다 흐리게 한 뒤의 차이: 잔무늬가 아닌 모양과 밝기의 오차.",
    "anomaly.what.ssim": "복원 과정에서 이미지의 국소 구조가 얼마나 사라지는지.",
    "anomaly.what.latent_knn": "잠재변수 z와 정상 학습 이미지의 가장 가까운 z 5개 사이의 거리.",
    "anomaly.what.combined": "흐린 복원오차와 잠재 거리를 각각 정상 학습 이미지의 퍼짐 단위로 맞춰 더한 값.",
    "anomaly.what.denoise": "같은 클래스로 학습한 잡음 제거 오토인코더가 잡음 섞인 사본을 복원할 때의 오차.",
    "anomaly.baselines": "고전적인 탐지기, 그리고 논문과 비교",
    "anomaly.baselines_intro": (
        "같은 정상 학습 이미지로(레이블 없이) 맞춘 고전적인 탐지기를 같은 테스트 이미지로 평가하고, 논문에 발표된 "
        "수치를 나란히 놓습니다."),
    "anomaly.run_baselines": "기준 탐지기 계산하기 (30초쯤)",
    "anomaly.baselines_running": "기준 탐지기를 맞추는 중…",
    "anomaly.baseline_done": "{name} 완료 ({time})",
    "anomaly.baseline.pca": "PCA 복원오차 (분산의 95 %)",
    "anomaly.baseline.iforest": "아이솔레이션 포레스트",
    "anomaly.baseline.ocsvm": "단일 클래스 서포트 벡터 머신 (ν 0.1, γ 자동)",
    "anomaly.baseline.knn": "픽셀 최근접 이웃 거리 (k 5)",
    "anomaly.col.method": "방법",
    "anomaly.col.note": "비고",
    "anomaly.ours": "오토인코더: {score}",
    "anomaly.same_images": "같은 이미지, 같은 분할 ({time})",
    "anomaly.published": "발표된 수치, 전처리가 다름",
    "anomaly.published_note.RAW-OC-SVM": "테스트 레이블로 조정한 값이라 상한선",
    "anomaly.published_note.CAE-OC-SVM": "오토인코더 잠재변수 위의 단일 클래스 서포트 벡터 머신",
    "anomaly.published_note.GEOM": "기하 변환을 맞히는 분류기",
    "anomaly.published_note.DCAE": "합성곱 오토인코더의 복원오차",
    "anomaly.published_note.One-class Deep SVDD": "정상 이미지를 한 점 가까이 모으는 신경망",
    "anomaly.baselines_caption": (
        "오토인코더와 기준 탐지기의 행은 {dataset} 테스트 데이터에서 이 정상 클래스의 값입니다. 발표된 행은 논문 "
        "저자들이 자기 전처리로 열 클래스 모두에 대해 낸 평균입니다: 같은 조건의 비교가 아니라 참고용입니다."),
}

"""Strings of "bring your own": the model card inside a downloaded model (ae.archive.model_card fills
these templates) and the reasons an uploaded model or dataset is refused (byo.error.<code>, one per
code of ae.archive.CODES and ae.userdata.CODES, filled in with the exception's `params`)."""

EN = {
    # ---- the model card (Markdown)
    "byo.card.title": "# {name}",
    "byo.card.intro": ("An autoencoder from Autoencoder Lab. This zip holds its description (`config.json`) and "
                       "its weights (safetensors); upload it in the app to use it again."),
    "byo.card.kind": "- **Kind**: {kind}",
    "byo.card.sizes": "- **Sizes**: a code z of {latent_dim} numbers; hidden sizes {hidden}; {parameters} parameters",
    "byo.card.dataset": "- **Trained on**: {dataset} ({train_size} training images, {test_size} test images)",
    "byo.card.source": "- **Data source**: {source}",
    "byo.card.data_sha256": "- **sha256 of the uploaded data**: `{sha256}`",
    "byo.card.training": "- **Training**: {epochs} epochs, batches of {batch_size}, learning rate {lr}",
    "byo.card.denoiser": "- **Denoiser**: trained to restore images damaged by {noises}",
    "byo.card.figures": "- **Test figures**: MSE {mse} · PSNR {psnr} dB · SSIM {ssim}",
    "byo.card.no_figures": "- **Test figures**: not measured",
    "byo.card.saved": "- **Saved**: {saved_at}",
    "byo.card.imported": "- **Imported** from a zip of the model {name} on {imported_at}",
    "byo.card.lineage": "## Lineage",
    "byo.card.lineage_none": "Trained from scratch (from random weights).",
    "byo.card.lineage_intro": ("Its training started from the weights of the first model below; each of them "
                               "started from the next."),
    "byo.card.lineage_step": ("{step}. **{name}** ({kind}, z = {latent_dim}, trained on {dataset}, saved {saved_at}, "
                              "weights `{sha256}…`)"),
    "byo.card.files": "## Files",
    "byo.card.file_config": "- `config.json`: the model's kind and sizes, training settings, data, figures and history",
    "byo.card.file_weights": "- `{weights}`: the weights (safetensors), sha256 `{sha256}`",
    "byo.card.file_onnx": "- {files}: the encoder and the decoder as ONNX networks, for use outside the app",
    "byo.card.use": ("## Use\n\nIn Autoencoder Lab, upload this zip among your models. In Python, unzip it into a "
                     "folder and call `ae.checkpoint.load(folder)`."),
    # ---- a dataset without labels
    "byo.class.unlabelled": "unlabelled",
    # ---- refusals: the zip itself (models and datasets)
    "byo.error.empty": "The file is empty.",
    "byo.error.too_large": "The file is larger than {limit} MB.",
    "byo.error.not_zip": "The file is not a zip archive, or it is cut short.",
    "byo.error.too_many_members": "The archive holds {count} files; at most {limit} are allowed.",
    "byo.error.unsafe_path": ("The archive holds “{member}”, a name that points outside its folder (an absolute "
                              "path, “..”, a backslash or a drive letter)."),
    "byo.error.duplicate_member": "The archive holds two files named “{member}”.",
    "byo.error.link": "“{member}” is a link or a special file; only plain files are accepted.",
    "byo.error.encrypted": "“{member}” is encrypted; upload an archive without a password.",
    "byo.error.pickle": ("“{member}” is a pickle file. Pickles can run code when opened, so they are refused: "
                         "weights must be safetensors, arrays plain .npy."),
    "byo.error.nested_archive": "“{member}” is an archive inside the archive; unpack it first.",
    "byo.error.zip_bomb": "“{member}” inflates far beyond its compressed size (a zip bomb?).",
    "byo.error.member_too_large": "“{member}” is larger than {limit} bytes.",
    "byo.error.broken_member": "“{member}” in the archive is damaged or cut short.",
    "byo.error.compression": ("“{member}” is compressed in a way this app does not read; zip it again with the "
                              "usual (deflate) compression."),
    # ---- refusals: an uploaded model
    "byo.error.missing_member": "The archive lacks {member}: it is not a model downloaded from this app.",
    "byo.error.unexpected_member": ("The archive holds “{member}”, which a model has not: only config.json, the "
                                    "weights and the model cards belong in it."),
    "byo.error.bad_config": "config.json does not describe a model this app can build.",
    "byo.error.model_too_large": "The model would have {parameters:,} parameters; at most {limit:,} are allowed.",
    "byo.error.checksum": "The weights do not match the checksum in config.json: the file is damaged or altered.",
    "byo.error.bad_weights": "The weights are not a readable safetensors file of finite numbers.",
    "byo.error.shape": "The weights do not fit the model that config.json describes.",
    "byo.error.bad_name": "“{name}” cannot be a name: use letters, digits, “_”, “-” or “.”.",
    "byo.error.name_taken": "The name “{name}” is taken; choose another one.",
    # ---- refusals: an uploaded dataset
    "byo.error.no_images": "The archive holds no images (PNG, JPEG, GIF, BMP, WebP, TIFF).",
    "byo.error.too_many_images": "The upload holds {count} images; at most {limit} are allowed.",
    "byo.error.too_few_images": "The upload holds {count} images; at least {limit} are needed.",
    "byo.error.bad_image": "“{member}” cannot be used as an image.",
    "byo.error.mixed_layout": ("“{member}” is not in a class folder while other images are: put every image in "
                               "its class's folder, or none."),
    "byo.error.bad_class_name": "The folder name “{name}” cannot be a class name.",
    "byo.error.duplicate_class": "Two folders give the same class name “{name}”.",
    "byo.error.too_many_classes": "The upload has {count} classes; at most {limit} are allowed.",
    "byo.error.bad_npz": ("The .npz must hold the images as an array x of shape (N, 28, 28), and may hold labels y "
                          "and class_names."),
    "byo.error.bad_labels": "The labels y do not fit: one whole number of at least 0 per image.",
}

KO = {
    "byo.card.title": "# {name}",
    "byo.card.intro": ("오토인코더 실험실에서 만든 오토인코더입니다. 이 zip에는 모델 설명(`config.json`)과 "
                       "가중치(safetensors)가 들어 있습니다. 앱에 다시 올리면 그대로 쓸 수 있습니다."),
    "byo.card.kind": "- **종류**: {kind}",
    "byo.card.sizes": "- **크기**: 코드 z는 숫자 {latent_dim}개, 은닉층 크기 {hidden}, 파라미터 {parameters}개",
    "byo.card.dataset": "- **학습 데이터**: {dataset} (학습 이미지 {train_size}장, 테스트 이미지 {test_size}장)",
    "byo.card.source": "- **데이터 출처**: {source}",
    "byo.card.data_sha256": "- **올린 데이터의 sha256**: `{sha256}`",
    "byo.card.training": "- **학습**: {epochs} 에폭, 배치 크기 {batch_size}, 학습률 {lr}",
    "byo.card.denoiser": "- **잡음 제거**: {noises} 잡음으로 손상된 이미지를 복원하도록 학습했습니다",
    "byo.card.figures": "- **테스트 성능**: MSE {mse} · PSNR {psnr} dB · SSIM {ssim}",
    "byo.card.no_figures": "- **테스트 성능**: 측정하지 않았습니다",
    "byo.card.saved": "- **저장 시각**: {saved_at}",
    "byo.card.imported": "- **가져옴**: 모델 {name}의 zip 파일에서 {imported_at}에 가져왔습니다",
    "byo.card.lineage": "## 계보",
    "byo.card.lineage_none": "처음부터(무작위 가중치에서) 학습했습니다.",
    "byo.card.lineage_intro": "아래 첫 번째 모델의 가중치에서 학습을 시작했고, 각 모델은 그다음 모델에서 시작했습니다.",
    "byo.card.lineage_step": ("{step}. **{name}** ({kind}, z = {latent_dim}, 학습 데이터 {dataset}, 저장 {saved_at}, "
                              "가중치 `{sha256}…`)"),
    "byo.card.files": "## 파일",
    "byo.card.file_config": "- `config.json`: 모델의 종류와 크기, 학습 설정, 데이터, 성능, 학습 기록",
    "byo.card.file_weights": "- `{weights}`: 가중치(safetensors), sha256 `{sha256}`",
    "byo.card.file_onnx": "- {files}: 인코더와 디코더를 ONNX 형식으로 저장한 파일(앱 밖에서 쓸 때)",
    "byo.card.use": ("## 사용법\n\n오토인코더 실험실에서 이 zip을 내 모델로 올리세요. 파이썬에서는 폴더에 압축을 풀고 "
                     "`ae.checkpoint.load(폴더)`를 호출하세요."),
    "byo.class.unlabelled": "레이블 없음",
    "byo.error.empty": "파일이 비어 있습니다.",
    "byo.error.too_large": "파일이 {limit}MB보다 큽니다.",
    "byo.error.not_zip": "zip 압축 파일이 아니거나 파일이 중간에 잘렸습니다.",
    "byo.error.too_many_members": "압축 파일에 파일이 {count}개 있습니다. 최대 {limit}개까지 허용됩니다.",
    "byo.error.unsafe_path": ("압축 파일 속 “{member}”의 이름이 폴더 밖을 가리킵니다(절대 경로, “..”, 역슬래시 "
                              "또는 드라이브 문자)."),
    "byo.error.duplicate_member": "압축 파일에 “{member}”라는 이름의 파일이 두 개 있습니다.",
    "byo.error.link": "“{member}”는 링크이거나 특수 파일입니다. 일반 파일만 받습니다.",
    "byo.error.encrypted": "“{member}”는 암호화되어 있습니다. 암호 없는 압축 파일을 올리세요.",
    "byo.error.pickle": ("“{member}”는 피클(pickle) 파일입니다. 피클은 여는 순간 코드를 실행할 수 있어 받지 "
                         "않습니다. 가중치는 safetensors, 배열은 일반 .npy여야 합니다."),
    "byo.error.nested_archive": "“{member}”는 압축 파일 안의 또 다른 압축 파일입니다. 먼저 풀어 주세요.",
    "byo.error.zip_bomb": "“{member}”는 압축을 풀면 원래 크기보다 지나치게 커집니다(zip 폭탄?).",
    "byo.error.member_too_large": "“{member}”가 {limit}바이트보다 큽니다.",
    "byo.error.broken_member": "압축 파일 속 “{member}”가 손상되었거나 중간에 잘렸습니다.",
    "byo.error.compression": ("“{member}”는 이 앱이 읽지 못하는 방식으로 압축되어 있습니다. 일반(deflate) "
                              "압축으로 다시 묶어 주세요."),
    "byo.error.missing_member": "압축 파일에 {member}이(가) 없습니다. 이 앱에서 내려받은 모델이 아닙니다.",
    "byo.error.unexpected_member": ("압축 파일에 모델에 없는 “{member}”가 들어 있습니다. config.json, 가중치, "
                                    "모델 카드만 들어 있어야 합니다."),
    "byo.error.bad_config": "config.json이 이 앱이 만들 수 있는 모델을 설명하지 않습니다.",
    "byo.error.model_too_large": "이 모델은 파라미터가 {parameters:,}개입니다. 최대 {limit:,}개까지 허용됩니다.",
    "byo.error.checksum": "가중치가 config.json의 체크섬과 맞지 않습니다. 파일이 손상되었거나 바뀌었습니다.",
    "byo.error.bad_weights": "가중치가 유한한 숫자로 된, 읽을 수 있는 safetensors 파일이 아닙니다.",
    "byo.error.shape": "가중치가 config.json이 설명하는 모델과 맞지 않습니다.",
    "byo.error.bad_name": "“{name}”은(는) 이름으로 쓸 수 없습니다. 영문자, 숫자, “_”, “-”, “.”만 쓰세요.",
    "byo.error.name_taken": "“{name}”이라는 이름이 이미 있습니다. 다른 이름을 고르세요.",
    "byo.error.no_images": "압축 파일에 이미지(PNG, JPEG, GIF, BMP, WebP, TIFF)가 없습니다.",
    "byo.error.too_many_images": "이미지가 {count}장입니다. 최대 {limit}장까지 허용됩니다.",
    "byo.error.too_few_images": "이미지가 {count}장입니다. 적어도 {limit}장이 필요합니다.",
    "byo.error.bad_image": "“{member}”는 이미지로 쓸 수 없습니다.",
    "byo.error.mixed_layout": ("“{member}”는 클래스 폴더 밖에 있는데 다른 이미지는 폴더 안에 있습니다. 모든 이미지를 "
                               "클래스 폴더에 넣거나, 모두 폴더 없이 두세요."),
    "byo.error.bad_class_name": "폴더 이름 “{name}”은(는) 클래스 이름으로 쓸 수 없습니다.",
    "byo.error.duplicate_class": "두 폴더가 같은 클래스 이름 “{name}”이 됩니다.",
    "byo.error.too_many_classes": "클래스가 {count}개입니다. 최대 {limit}개까지 허용됩니다.",
    "byo.error.bad_npz": ".npz에는 이미지가 (N, 28, 28) 모양의 배열 x로 들어 있어야 합니다. 레이블 y와 class_names는 "
                         "넣어도 되고 빼도 됩니다.",
    "byo.error.bad_labels": "레이블 y가 맞지 않습니다. 이미지마다 0 이상의 정수 하나가 있어야 합니다.",
}

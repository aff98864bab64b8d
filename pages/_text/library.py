"""Strings of the page "My models & data" (pages/library.py)."""

EN = {
    "library.title": "My models & data",
    "library.heading": "My models and data",
    "library.intro": ("Take a model away as one file and bring it back, here or on another computer running "
                      "Autoencoder Lab. Turn your own images into a dataset: every page can then train on it and "
                      "show it."),
    "library.tab.models": "Models",
    "library.tab.data": "Your own images",
    # ---- models
    "library.download": "Download a model",
    "library.pick": "Model",
    "library.download_caption": ("The zip holds config.json (what the model is and how it was trained), the "
                                 "weights (safetensors), a model card in Korean and English, and the encoder and "
                                 "decoder as ONNX files where the kind has them. It is made when you click: a "
                                 "few seconds."),
    "library.upload_model": "Upload a model",
    "library.model_file": "A model's zip, downloaded from this app (up to {mb} MB)",
    "library.model_file_help": ("Everything is checked before anything is kept: the files in the zip, config.json, "
                                "the weights' checksum and shapes. The model is added to your models (👤) and never "
                                "replaces one; a name already taken gets -2, -3, ..."),
    "library.checking": "Checking the model…",
    "library.refused": "This file was not accepted:",
    "library.model_added": "Added to your models as 👤 {name}: it is now the active model (see the sidebar).",
    "library.model_unusable": "Added as 👤 {name}, but it cannot be used yet: {why}.",
    "library.mine": "Your models (👤): {names}",
    # ---- datasets
    "library.upload_data": "Upload your own images",
    "library.formats": ("Three kinds of file, with at most {n} images and {mb} MB:\n"
                        "- a **zip of folders**, one folder per class (the folder names become the class names),\n"
                        "- a **zip of images** without folders (one class: unlabelled),\n"
                        "- an **.npz** with an array `x` of shape (N, 28, 28) and, if you have them, labels `y` "
                        "(and `class_names`).\n\n"
                        "Images become grey 28x28 pictures as single uploads do; a fifth of them is kept apart as "
                        "the test split."),
    "library.data_file": "A zip of images or an .npz (up to {mb} MB)",
    "library.like": "The images show",
    "library.like.digits": "strokes, like handwritten digits",
    "library.like.objects": "objects that fill the picture, like clothes",
    "library.like_help": ("How a picture is fitted into 28x28: strokes into a 20x20 box centred on their ink, as "
                          "MNIST; objects filling the whole picture, as Fashion-MNIST. .npz images are used as "
                          "they are."),
    "library.reading": "Preparing the images: {done} of {total}",
    "library.read.folders": "**{n} images in {k} classes** (one folder per class):",
    "library.read.images": "**{n} images without labels**:",
    "library.read.npz": "**{n} images in {k} classes** from the .npz:",
    "library.skipped": "Left out (not images, or hidden files): {files}",
    "library.name": "Name of the dataset",
    "library.name_help": "Letters, digits, “_”, “-” and “.”; it is how the dataset is named on every page.",
    "library.save": "Keep this dataset",
    "library.saved": "Kept as 👤 {name}. It is now a choice on the Train page.",
    "library.datasets": "Your datasets",
    "library.no_datasets": "No datasets of your own yet.",
    "library.broken": "cannot be read:",
    "library.sizes": "{train} training and {test} test images, {k} class(es)",
    "library.source": "From the file “{file}”, uploaded {at}",
    "library.models_of": "Models trained on it: {names}",
    "library.train_on": "Train on it",
    "library.delete": "Delete",
    "library.delete_really": ("Delete the dataset **{name}**? Models trained on it stay, but cannot be used "
                              "until it is uploaded again."),
    "library.delete_yes": "Delete {name}",
}

KO = {
    "library.title": "내 모델과 데이터",
    "library.heading": "내 모델과 데이터",
    "library.intro": ("모델을 파일 하나로 내려받고, 이 컴퓨터나 오토인코더 실험실이 돌아가는 다른 컴퓨터에서 다시 "
                      "올릴 수 있습니다. 내 이미지로 데이터셋을 만들면 모든 페이지에서 그 데이터로 학습하고 "
                      "살펴볼 수 있습니다."),
    "library.tab.models": "모델",
    "library.tab.data": "내 이미지",
    "library.download": "모델 내려받기",
    "library.pick": "모델",
    "library.download_caption": ("zip 파일에는 config.json(모델의 구성과 학습 방법), 가중치(safetensors), 한국어와 "
                                 "영어 모델 카드, 그리고 종류에 따라 ONNX 형식의 인코더와 디코더가 들어 있습니다. "
                                 "누르는 순간 만들어지며 몇 초 걸립니다."),
    "library.upload_model": "모델 올리기",
    "library.model_file": "이 앱에서 내려받은 모델 zip 파일 ({mb}MB까지)",
    "library.model_file_help": ("저장하기 전에 모든 것을 검사합니다. zip 속 파일 목록, config.json, 가중치의 체크섬과 "
                                "모양을 확인합니다. 모델은 내 모델(👤)로 추가되며 기존 모델을 덮어쓰지 않습니다. "
                                "이름이 겹치면 -2, -3 ...이 붙습니다."),
    "library.checking": "모델을 검사하는 중…",
    "library.refused": "이 파일은 받을 수 없습니다:",
    "library.model_added": "👤 {name}(으)로 내 모델에 추가했습니다. 이제 이 모델을 사용합니다(사이드바 참고).",
    "library.model_unusable": "👤 {name}(으)로 추가했지만 아직 쓸 수 없습니다: {why}.",
    "library.mine": "내 모델(👤): {names}",
    "library.upload_data": "내 이미지 올리기",
    "library.formats": ("세 가지 파일을 받습니다. 이미지는 {n}장, 파일은 {mb}MB까지입니다.\n"
                        "- **폴더로 나눈 zip**: 클래스마다 폴더 하나(폴더 이름이 클래스 이름이 됩니다)\n"
                        "- 폴더 없이 **이미지만 담은 zip**: 클래스 하나(레이블 없음)\n"
                        "- **.npz**: (N, 28, 28) 모양의 배열 `x`, 레이블이 있으면 `y`(와 `class_names`)\n\n"
                        "이미지는 한 장씩 올릴 때처럼 28x28 흑백 그림으로 바꾸고, 그중 5분의 1은 테스트용으로 "
                        "따로 둡니다."),
    "library.data_file": "이미지 zip 파일 또는 .npz ({mb}MB까지)",
    "library.like": "이미지의 내용",
    "library.like.digits": "손글씨 숫자처럼 획으로 된 그림",
    "library.like.objects": "옷처럼 그림을 꽉 채우는 물체",
    "library.like_help": ("그림을 28x28에 맞추는 방법입니다. 획은 MNIST처럼 20x20 칸에 넣고 잉크의 무게중심을 "
                          "가운데에 둡니다. 물체는 Fashion-MNIST처럼 그림 전체를 채웁니다. .npz 이미지는 그대로 "
                          "씁니다."),
    "library.reading": "이미지를 준비하는 중: {total}장 중 {done}장",
    "library.read.folders": "**이미지 {n}장, 클래스 {k}개** (클래스마다 폴더 하나):",
    "library.read.images": "**레이블 없는 이미지 {n}장**:",
    "library.read.npz": "**.npz에서 읽은 이미지 {n}장, 클래스 {k}개**:",
    "library.skipped": "빠진 파일(이미지가 아니거나 숨김 파일): {files}",
    "library.name": "데이터셋 이름",
    "library.name_help": "영문자, 숫자, “_”, “-”, “.”를 쓸 수 있습니다. 모든 페이지에서 이 이름으로 보입니다.",
    "library.save": "이 데이터셋 저장",
    "library.saved": "👤 {name}(으)로 저장했습니다. 이제 학습 페이지에서 고를 수 있습니다.",
    "library.datasets": "내 데이터셋",
    "library.no_datasets": "아직 직접 올린 데이터셋이 없습니다.",
    "library.broken": "읽을 수 없습니다:",
    "library.sizes": "학습 이미지 {train}장, 테스트 이미지 {test}장, 클래스 {k}개",
    "library.source": "파일 “{file}”에서 {at}에 올림",
    "library.models_of": "이 데이터로 학습한 모델: {names}",
    "library.train_on": "이 데이터로 학습",
    "library.delete": "삭제",
    "library.delete_really": ("데이터셋 **{name}**을(를) 삭제할까요? 이 데이터로 학습한 모델은 남지만, 데이터셋을 "
                              "다시 올리기 전까지는 쓸 수 없습니다."),
    "library.delete_yes": "{name} 삭제",
}

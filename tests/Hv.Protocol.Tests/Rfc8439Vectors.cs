namespace Hv.Protocol.Tests
{
    /// <summary>The longer test vectors of RFC 8439 (section 2 and appendix A), as hex.</summary>
    internal static class Rfc8439Vectors
    {
        /// <summary>§2.4.2 and §2.8.2 plaintext: "Ladies and Gentlemen of the class of '99: ..." (114 bytes).</summary>
        public const string Sunscreen =
            "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20496620492063" +
            "6f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73" +
            "637265656e20776f756c642062652069742e";

        /// <summary>§2.4.2 ciphertext (key 00..1f, nonce 00:00:00:00:00:00:00:4a:00:00:00:00, counter 1).</summary>
        public const string SunscreenCipher =
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b357" +
            "1639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
            "5af90bbf74a35be6b40b8eedf2785e42874d";

        /// <summary>§2.3.2 serialized block (key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1).</summary>
        public const string Block232 =
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2" +
            "b5129cd1de164eb9cbd083e8a2503c4e";

        /// <summary>§2.8.2 ciphertext.</summary>
        public const string AeadCipher =
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
            "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
            "3ff4def08e4b7a9de576d26586cec64b6116";

        /// <summary>§2.8.2 "AEAD Construction for Poly1305": the bytes the tag covers.</summary>
        public const string AeadMacData =
            "50515253c0c1c2c3c4c5c6c700000000d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" +
            "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58" +
            "fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b61160000000000000000000000000000" +
            "0c000000000000007200000000000000";

        /// <summary>A.1 test vector #1 key stream.</summary>
        public const string KeyStreamA1_1 =
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a37" +
            "6a43b8f41518a11cc387b669b2ee6586";

        /// <summary>A.1 test vector #2 key stream.</summary>
        public const string KeyStreamA1_2 =
            "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d5" +
            "31ed1f28510afb45ace10a1f4b794d6f";

        /// <summary>A.1 test vector #3 key stream.</summary>
        public const string KeyStreamA1_3 =
            "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a8eca00bbb4a73bdad192b5c42f73f2fd" +
            "4e273644c8b36125a64addeb006c13a0";

        /// <summary>A.1 test vector #4 key stream.</summary>
        public const string KeyStreamA1_4 =
            "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca13b25aa26cb4a648cb9b9d1be65b2c09" +
            "24a66c54d545ec1b7374f4872e99f096";

        /// <summary>A.1 test vector #5 key stream.</summary>
        public const string KeyStreamA1_5 =
            "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c78a970e0e955c14f3a88e741b97c286f7" +
            "5f8fc299e8148362fa198a39531bed6d";

        /// <summary>A.2 #2 plaintext and A.3 #2, #3 text: "Any submission to the IETF intended by the Contributor ..." (375 bytes).</summary>
        public const string Ietf =
            "416e79207375626d697373696f6e20746f20746865204945544620696e74656e6465642062792074686520436f6e7472" +
            "696275746f7220666f72207075626c69636174696f6e20617320616c6c206f722070617274206f6620616e2049455446" +
            "20496e7465726e65742d4472616674206f722052464320616e6420616e792073746174656d656e74206d616465207769" +
            "7468696e2074686520636f6e74657874206f6620616e204945544620616374697669747920697320636f6e7369646572" +
            "656420616e20224945544620436f6e747269627574696f6e222e20537563682073746174656d656e747320696e636c75" +
            "6465206f72616c2073746174656d656e747320696e20494554462073657373696f6e732c2061732077656c6c20617320" +
            "7772697474656e20616e6420656c656374726f6e696320636f6d6d756e69636174696f6e73206d61646520617420616e" +
            "792074696d65206f7220706c6163652c207768696368206172652061646472657373656420746f";

        /// <summary>A.2 test vector #2 ciphertext.</summary>
        public const string IetfCipherA2_2 =
            "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec2a97948bd3722915c8f3d337f7d37005" +
            "0e9e96d647b7c39f56e031ca5eb6250d4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950" +
            "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85ad00f8449ed8f72d0d662ab052691ca66" +
            "424bc86d2df80ea41f43abf937d3259dc4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b" +
            "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6ccc3aaf9f3979c92b3720fc88dc95ed84" +
            "a1be059c6499b9fda236e7e818b04b0bc39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f" +
            "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e698ced759c3ff9b6477338f3da4f9cd85" +
            "14ea9982ccafb341b2384dd902f3d1ab7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221";

        /// <summary>A.2 #3 plaintext and A.3 #4 text: "'Twas brillig, and the slithy toves ..." (127 bytes).</summary>
        public const string Jabberwocky =
            "2754776173206272696c6c69672c20616e642074686520736c6974687920746f7665730a446964206779726520616e64" +
            "2067696d626c6520696e2074686520776162653a0a416c6c206d696d737920776572652074686520626f726f676f7665" +
            "732c0a416e6420746865206d6f6d65207261746873206f757467726162652e";

        /// <summary>A.2 test vector #3 ciphertext.</summary>
        public const string JabberwockyCipherA2_3 =
            "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf166d3df2d721caf9b21e5fb14c616871" +
            "fd84c54f9d65b283196c7fe4f60553ebf39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77" +
            "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1";

        /// <summary>A.2 #3, A.3 #4, A.4 #3 and A.5 key.</summary>
        public const string JabberwockyKey =
            "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";

        /// <summary>A.5 ciphertext.</summary>
        public const string DraftsCipherA5 =
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0" +
            "bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
            "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9" +
            "9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
            "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130" +
            "305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b";

        /// <summary>A.5 plaintext: "Internet-Drafts are draft documents valid for a maximum of six months ..." (265 bytes).</summary>
        public const string DraftsA5 =
            "496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c696420666f72206120" +
            "6d6178696d756d206f6620736978206d6f6e74687320616e64206d617920626520757064617465642c207265706c6163" +
            "65642c206f72206f62736f6c65746564206279206f7468657220646f63756d656e747320617420616e792074696d652e" +
            "20497420697320696e617070726f70726961746520746f2075736520496e7465726e65742d4472616674732061732072" +
            "65666572656e6365206d6174657269616c206f7220746f2063697465207468656d206f74686572207468616e20617320" +
            "2fe2809c776f726b20696e2070726f67726573732e2fe2809d";
    }
}
